package dev.stt.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.validation.CrdValidator;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.stt.operator.OperatorSettings;
import dev.stt.operator.Trainings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A local HTTP server stands in for rank 0's progress endpoint; the mock API server gives worker 0 its address. */
@EnableKubernetesMockClient(crud = true)
class ProgressReportingTest {
  KubernetesClient client;
  private OperatorHarness harness;
  private HttpServer trainer;
  private final AtomicReference<String> report = new AtomicReference<>();
  private final AtomicInteger code = new AtomicInteger(200);
  private final AtomicInteger polls = new AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    trainer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    trainer.createContext("/progress", exchange -> {
      polls.incrementAndGet();
      byte[] body = report.get().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(code.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    trainer.start();
    harness = new OperatorHarness(client).start(new OperatorSettings(Set.of(), OperatorHarness.IMAGE,
        Optional.empty(), 0, Duration.ofMillis(200)), new SimpleMeterRegistry());
  }

  @AfterEach
  void stop() {
    harness.close();
    trainer.stop(0);
  }

  /** Points worker 0 at the stand-in server, as the kubelet would report its pod IP. */
  private void runningAtTheStandIn(Pod pod) {
    Pod current = client.pods().inNamespace("ml").withName(pod.getMetadata().getName()).get();
    current.getSpec().getContainers().get(0).getPorts().stream().filter(p -> "progress".equals(p.getName()))
        .forEach(p -> p.setContainerPort(trainer.getAddress().getPort()));
    client.pods().inNamespace("ml").resource(current).update();
    harness.setStatus(pod, new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").build());
  }

  /** What kubectl get stt shows: the CRD's printer columns evaluated on the resource. */
  static Map<String, String> printerColumns(SentenceTransformerTraining training) {
    JsonNode json = Serialization.jsonMapper().valueToTree(training);
    Map<String, String> columns = new LinkedHashMap<>();
    JsonNode crd = Serialization.unmarshal(OperatorHarness.class.getResourceAsStream(CrdValidator.CRD_RESOURCE),
        JsonNode.class);
    for (JsonNode column : crd.at("/spec/versions/0/additionalPrinterColumns")) {
      JsonNode value = json.at(column.path("jsonPath").asText().replace('.', '/'));
      columns.put(column.path("name").asText(), value.isMissingNode() ? "<none>" : value.asText());
    }
    return columns;
  }

  @Test
  void runningRunShowsLiveProgressAndFinalMetrics() {
    report.set("{\"step\": 120, \"totalSteps\": 1000, \"epoch\": 0.12, \"percent\": 12.0, \"loss\": 0.0412,"
        + " \"evalName\": \"sts-dev\", \"evalValue\": 0.8123, \"samplesPerSecond\": 77.9, \"etaSeconds\": 113}");
    harness.apply(Trainings.example("sts-mpnet-1card.yaml"));
    runningAtTheStandIn(harness.awaitPods("sts-mpnet-1card", 1, 0).get(0));

    var running = harness.awaitStatus("sts-mpnet-1card", t -> t.getStatus().progress != null);
    Map<String, String> columns = printerColumns(running);
    System.out.println(String.join("\t", columns.keySet()) + "\n" + String.join("\t", columns.values()));
    assertThat(columns).containsEntry("Phase", "Running").containsEntry("Recipe", "sts")
        .containsEntry("Model", "sentence-transformers/all-mpnet-base-v2").containsEntry("Cards", "1x1")
        .containsEntry("Progress", "120/1000 (12%)").containsEntry("Metric", "sts-dev=0.8123");
    assertThat(running.getStatus().phase).isEqualTo(Phase.Running);
    assertThat(running.getStatus().progress.summary).isEqualTo("120/1000 (12%)");
    assertThat(running.getStatus().progress.etaSeconds).isEqualTo(113);
    assertThat(running.getStatus().metrics.summary).isEqualTo("sts-dev=0.8123");
    assertThat(running.getStatus().metrics.loss).isEqualTo(0.0412);

    // Later reports replace earlier ones; the poll is rate-limited, not a busy loop.
    report.set("{\"step\": 500, \"totalSteps\": 1000, \"percent\": 50, \"evalName\": \"sts-dev\","
        + " \"evalValue\": 0.84}");
    harness.awaitStatus("sts-mpnet-1card", t -> "500/1000 (50%)".equals(t.getStatus().progress.summary));
    int before = polls.get();
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(polls.get() - before).isBetween(1, 6);

    // A failing endpoint changes nothing and fails nothing.
    code.set(500);
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      var t = harness.get("sts-mpnet-1card");
      assertThat(t.getStatus().phase).isEqualTo(Phase.Running);
      assertThat(t.getStatus().progress.summary).isEqualTo("500/1000 (50%)");
    });

    Pod pod = harness.pods("sts-mpnet-1card").get(0);
    harness.succeeded(pod);
    var done = harness.awaitStatus("sts-mpnet-1card", t -> t.getStatus().phase == Phase.Succeeded);
    // OperatorHarness.succeeded leaves {"evalValue": 0.86} as the termination message.
    assertThat(done.getStatus().metrics.evalValue).isEqualTo(0.86);
    assertThat(done.getStatus().metrics.summary).isEqualTo("sts-dev=0.8600");
  }
}
