package dev.stt.operator.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stt.api.v1alpha1.MetricsStatus;
import dev.stt.api.v1alpha1.ProgressStatus;
import dev.stt.operator.render.TrainConfig;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what rank 0 reports: live from its progress endpoint while the run is Running (at most once per interval per
 * run, with short timeouts; a failed poll changes nothing), and the final metrics from its termination message.
 */
public final class TrainerProgress {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerProgress.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final Duration interval;
  private final Map<String, Instant> lastPolls = new ConcurrentHashMap<>();

  public TrainerProgress(Duration interval) {
    this.interval = interval;
  }

  Duration interval() {
    return interval;
  }

  /** Polls worker 0 unless it was polled less than an interval ago; empty when skipped or unreachable. */
  Optional<JsonNode> poll(String run, Pod worker0, Instant now) {
    Instant last = lastPolls.get(run);
    if (last != null && now.isBefore(last.plus(interval))) {
      return Optional.empty();
    }
    String ip = worker0.getStatus() == null ? null : worker0.getStatus().getPodIP();
    if (ip == null) {
      return Optional.empty();
    }
    lastPolls.put(run, now);
    URI uri = URI.create("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + progressPort(worker0)
        + TrainConfig.PROGRESS_PATH);
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
    } catch (IOException e) {
      LOG.debug("{}: progress of {} not available: {}", run, uri, e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  void forget(String run) {
    lastPolls.remove(run);
  }

  /** The final report the trainer leaves in its termination message, when it is JSON. */
  static Optional<JsonNode> finalReport(Pod worker0) {
    if (worker0.getStatus() == null || worker0.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return worker0.getStatus().getContainerStatuses().stream()
        .map(cs -> cs.getState() == null ? null : cs.getState().getTerminated())
        .filter(t -> t != null && t.getMessage() != null)
        .findFirst()
        .flatMap(t -> {
          try {
            JsonNode node = JSON.readTree(t.getMessage());
            return node.isObject() ? Optional.of(node) : Optional.empty();
          } catch (IOException e) {
            return Optional.empty();
          }
        });
  }

  /** Copies a report into the status; fields the report lacks keep their last value. */
  static void apply(JsonNode report, StatusUpdate status) {
    var next = status.next();
    ProgressStatus p = next.progress == null ? new ProgressStatus() : next.progress;
    p.step = longOr(report, "step", p.step);
    p.totalSteps = longOr(report, "totalSteps", p.totalSteps);
    p.epoch = doubleOr(report, "epoch", p.epoch);
    p.etaSeconds = longOr(report, "etaSeconds", p.etaSeconds);
    Double percent = doubleOr(report, "percent", p.percent == null ? null : p.percent.doubleValue());
    p.percent = percent == null ? null : (int) Math.floor(percent);
    p.summary = p.step == null || p.totalSteps == null ? p.summary
        : p.step + "/" + p.totalSteps + (p.percent == null ? "" : " (" + p.percent + "%)");
    next.progress = p;

    MetricsStatus m = next.metrics == null ? new MetricsStatus() : next.metrics;
    m.loss = doubleOr(report, "loss", m.loss);
    m.evalName = report.hasNonNull("evalName") ? report.get("evalName").asText() : m.evalName;
    m.evalValue = doubleOr(report, "evalValue", m.evalValue);
    m.summary = m.evalName == null || m.evalValue == null ? m.summary
        : String.format(Locale.ROOT, "%s=%.4f", m.evalName, m.evalValue);
    next.metrics = m;
  }

  private static Long longOr(JsonNode report, String key, Long fallback) {
    return report.path(key).isNumber() ? Long.valueOf(report.get(key).asLong()) : fallback;
  }

  private static Double doubleOr(JsonNode report, String key, Double fallback) {
    JsonNode value = report.path(key);
    return value.isNumber() && Double.isFinite(value.asDouble()) ? Double.valueOf(value.asDouble()) : fallback;
  }

  private static int progressPort(Pod pod) {
    return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
        .filter(p -> "progress".equals(p.getName())).map(io.fabric8.kubernetes.api.model.ContainerPort::getContainerPort)
        .findFirst().orElse(TrainConfig.PROGRESS_PORT);
  }
}
