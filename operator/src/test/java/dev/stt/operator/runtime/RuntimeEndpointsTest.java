package dev.stt.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.operator.HttpEndpoints;
import dev.stt.operator.OperatorSettings;
import dev.stt.operator.Trainings;
import dev.stt.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class RuntimeEndpointsTest {
  KubernetesClient client;
  private OperatorHarness harness;
  private HttpEndpoints endpoints;

  @AfterEach
  void stop() {
    if (endpoints != null) {
      endpoints.close();
    }
    harness.close();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + endpoints.port() + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void probesAndMetricsFollowTheOperator() throws Exception {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    harness = new OperatorHarness(client).start(OperatorSettings.of(OperatorHarness.IMAGE), registry);
    endpoints = new HttpEndpoints(0, harness.operator(), registry).start();
    await().untilAsserted(() -> assertThat(get("/readyz").statusCode()).isEqualTo(200));
    assertThat(get("/healthz").statusCode()).isEqualTo(200);

    harness.apply(Trainings.parse("""
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata: {name: m, namespace: ml}
        spec: {recipe: sts, model: {name: bert-base-uncased}, output: {claimName: models}}
        """));
    var pod = harness.awaitPods("m", 1, 0).get(0);
    harness.failed(pod, 1, "Error", "x");
    harness.running(harness.awaitPods("m", 1, 1).get(0));
    harness.awaitStatus("m", t -> t.getStatus().phase == Phase.Running);

    await().untilAsserted(() -> {
      String metrics = get("/metrics").body();
      assertThat(metrics).contains("stt_trainings{phase=\"Running\"} 1.0", "stt_trainings{phase=\"Failed\"} 0.0",
          "stt_gang_restarts_total 1.0", "stt_time_to_workers_created_seconds_count 1",
          "stt_reconcile_errors_total 0.0");
      // JOSDK's own metrics, without a per-resource label.
      assertThat(metrics).contains("operator_sdk_").doesNotContain("name=\"m\"");
    });

    harness.stop();
    assertThat(get("/healthz").statusCode()).isEqualTo(503);
    assertThat(get("/readyz").statusCode()).isEqualTo(503);
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
  }
}
