package dev.stt.operator.robustness;

import static dev.stt.operator.robustness.Runs.conditionStatus;
import static dev.stt.operator.robustness.Runs.restarts;
import static dev.stt.operator.Trainings.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.operator.reconciler.OperatorHarness;
import dev.stt.operator.robustness.MockApi.Fault;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API faults injected into the mock API server while the real operator runs: conflicts on status writes, server
 * errors, slow replies and rejections on pod creation, dropped watches. The run must still reach the right phase,
 * with no status update lost or doubled, and the volumes kept.
 */
@EnableKubernetesMockClient(crud = true)
class ApiFaultsTest {
  private static final String PODS = "/api/v1/namespaces/ml/pods";

  KubernetesClient client;
  KubernetesMockServer server;
  private MockApi api;

  @BeforeEach
  void faults() {
    api = new MockApi(server);
  }

  private static String statusPath(String name) {
    return "/apis/stt.dev/v1alpha1/namespaces/ml/sentencetransformertrainings/" + name + "/status";
  }

  private List<Event> events(String name) {
    return client.v1().events().inNamespace("ml").list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  @Test
  void conflictsOnStatusWritesNeitherLoseNorDoubleARestart() {
    AtomicInteger conflicts = new AtomicInteger();
    AtomicBoolean conflicting = new AtomicBoolean();
    api.intercept(HttpMethod.PUT, statusPath("conflict"), r -> conflicting.get() && conflicts.getAndIncrement() < 2
        ? Fault.conflict("sentencetransformertrainings.stt.dev \"conflict\"") : null);
    try (var harness = new OperatorHarness(client).start()) {
      harness.apply(training("conflict", "resources: {workers: 2}"));
      List<Pod> first = harness.awaitPods("conflict", 2, 0);
      first.forEach(harness::running);
      harness.awaitStatus("conflict", t -> t.getStatus().phase == Phase.Running);

      // The next two status writes fail with 409 Conflict, as when someone else updated the resource meanwhile.
      conflicting.set(true);
      harness.failed(first.get(1), 1, "Error", "RuntimeError: HCCL timeout");
      List<Pod> second = harness.awaitPods("conflict", 2, 1);
      assertThat(conflicts.get()).isGreaterThanOrEqualTo(2);
      second.forEach(harness::running);
      harness.awaitStatus("conflict", t -> t.getStatus().phase == Phase.Running);
      second.forEach(harness::succeeded);
      var done = harness.awaitStatus("conflict", t -> t.getStatus().phase == Phase.Succeeded);

      assertThat(restarts(done)).isEqualTo(1);
      assertThat(done.getStatus().conditions).extracting(Condition::getType).doesNotHaveDuplicates();
      assertThat(harness.pods("conflict")).hasSize(2)
          .allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry("stt.dev/attempt", "1"));
      await().untilAsserted(() -> assertThat(events("conflict")).filteredOn(e -> e.getMessage().contains("restart 1/"))
          .hasSize(1));
      assertThat(events("conflict")).noneMatch(e -> e.getMessage().contains("restart 2/"));
    }
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void aConflictOnTheStatusWriteAfterCreatingWorkersLosesNothing() {
    AtomicInteger writes = new AtomicInteger();
    api.intercept(HttpMethod.PUT, statusPath("lost-write"), r -> writes.getAndIncrement() == 0
        ? Fault.conflict("sentencetransformertrainings.stt.dev \"lost-write\"") : null);
    try (var harness = new OperatorHarness(client).start()) {
      harness.apply(training("lost-write", "runPolicy: {activeDeadlineSeconds: 2}"));
      harness.awaitPods("lost-write", 1, 0);
      harness.awaitStatus("lost-write", t -> t.getStatus().phase == Phase.Pending);
      assertThat(writes.get()).isGreaterThanOrEqualTo(2);
      await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
        var t = harness.get("lost-write");
        assertThat(t.getStatus().startTime).as("status.startTime").isNotNull();
        assertThat(conditionStatus(t, "Created")).isEqualTo("True");
      });
      // The deadline counts from startTime.
      harness.awaitStatus("lost-write", t -> t.getStatus().phase == Phase.Failed);
    }
  }

  @Test
  void aPodCreationThatTimedOutButSucceededLosesNothing() {
    api.intercept(HttpMethod.POST, PODS, 3000, 1, r -> null);
    KubernetesClient noRetries = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withRequestTimeout(2000).withRequestRetryBackoffLimit(0).build()).build();
    try (var harness = new OperatorHarness(noRetries).start()) {
      harness.apply(training("timed-out", ""));
      harness.running(harness.awaitPods("timed-out", 1, 0).get(0));
      harness.awaitStatus("timed-out", t -> t.getStatus().phase == Phase.Running);
      await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
        var t = harness.get("timed-out");
        assertThat(t.getStatus().startTime).as("status.startTime").isNotNull();
        assertThat(conditionStatus(t, "Created")).isEqualTo("True");
      });
    } finally {
      noRetries.close();
    }
  }

  @Test
  void serverErrorsOnPodCreationAreRetriedWithoutDuplicates() {
    AtomicBoolean failing = new AtomicBoolean(true);
    AtomicInteger failures = new AtomicInteger();
    api.intercept(HttpMethod.POST, PODS, r -> {
      if (failing.get() && MockApi.body(r).contains("flaky-api-worker")) {
        failures.incrementAndGet();
        return Fault.internalError();
      }
      return null;
    });
    try (var harness = new OperatorHarness(client).start()) {
      harness.apply(training("flaky-api", "resources: {workers: 2}"));
      // Five server errors in a row: the client's own retries (10, backing off up to 3.2 s) absorb them.
      await().atMost(Duration.ofSeconds(10)).until(() -> failures.get() >= 5);
      assertThat(harness.pods("flaky-api")).isEmpty();
      failing.set(false);
      List<Pod> pods = harness.awaitPods("flaky-api", 2, 0);
      pods.forEach(harness::running);
      var running = harness.awaitStatus("flaky-api", t -> t.getStatus().phase == Phase.Running);
      assertThat(running.getStatus().startTime).isNotNull();
      assertThat(conditionStatus(running, "Created")).isEqualTo("True");
      assertThat(restarts(running)).isZero();
      pods.forEach(harness::succeeded);
      harness.awaitStatus("flaky-api", t -> t.getStatus().phase == Phase.Succeeded);
      assertThat(harness.pods("flaky-api")).hasSize(2);
    }
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void podCreationWhoseReplyTimesOutIsNotDuplicated() {
    // The pod is created, but the reply comes after the client's timeout: the client retries and meets 409.
    AtomicInteger posts = new AtomicInteger();
    api.intercept(HttpMethod.POST, PODS, 2000, 1, r -> {
      posts.incrementAndGet();
      return null;
    });
    KubernetesClient impatient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withRequestTimeout(1000).build()).build();
    try (var harness = new OperatorHarness(impatient).start()) {
      harness.apply(training("slow-api", ""));
      Pod pod = harness.awaitPods("slow-api", 1, 0).get(0);
      assertThat(posts.get()).isEqualTo(1);
      // The client gave up on the slow reply and sent the pod again, which met 409 AlreadyExists.
      await().atMost(Duration.ofSeconds(5)).until(() -> api.requests().stream()
          .filter(r -> r.equals("POST " + PODS)).count() >= 2);
      harness.running(pod);
      var running = harness.awaitStatus("slow-api", t -> t.getStatus().phase == Phase.Running);
      assertThat(restarts(running)).isZero();
      assertThat(running.getStatus().startTime).isNotNull();
      assertThat(conditionStatus(running, "Created")).isEqualTo("True");
      assertThat(harness.pods("slow-api")).singleElement()
          .satisfies(p -> assertThat(p.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid()));
      harness.succeeded(pod);
      harness.awaitStatus("slow-api", t -> t.getStatus().phase == Phase.Succeeded);
    } finally {
      impatient.close();
    }
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void droppedWatchesAreReestablishedAndNoEventIsMissed() {
    try (var harness = new OperatorHarness(client).start()) {
      harness.apply(training("watched", "resources: {workers: 2}"));
      List<Pod> pods = harness.awaitPods("watched", 2, 0);
      harness.awaitStatus("watched", t -> t.getStatus().phase == Phase.Pending);

      // Changes made right after the watches drop, before the informers reconnect.
      assertThat(api.dropWatches()).isGreaterThanOrEqualTo(4);
      pods.forEach(harness::running);
      harness.awaitStatus("watched", t -> t.getStatus().phase == Phase.Running);

      assertThat(api.dropWatches()).isGreaterThanOrEqualTo(4);
      harness.failed(pods.get(0), 1, "Error", "RuntimeError: boom");
      List<Pod> second = harness.awaitPods("watched", 2, 1);
      assertThat(api.dropWatches()).isGreaterThanOrEqualTo(4);
      second.forEach(harness::succeeded);
      var done = harness.awaitStatus("watched", t -> t.getStatus().phase == Phase.Succeeded);
      assertThat(restarts(done)).isEqualTo(1);
    }
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void podTheApiServerRefusesIsReportedInTheStatus() {
    api.intercept(HttpMethod.POST, PODS, r -> MockApi.body(r).contains("refused-worker")
        ? new Fault(403, "Forbidden", "pods \"refused-worker-0\" is forbidden: exceeded quota: gaudi, requested:"
            + " habana.ai/gaudi=1, used: habana.ai/gaudi=8, limited: habana.ai/gaudi=8")
        : null);
    try (var harness = new OperatorHarness(client).start()) {
      harness.apply(training("refused", ""));
      harness.apply(training("healthy", ""));
      harness.awaitPods("healthy", 1, 0);
      var refused = harness.awaitStatus("refused", t -> t.getStatus().message != null
          && t.getStatus().message.contains("exceeded quota"));
      assertThat(refused.getStatus().phase).isEqualTo(Phase.Pending);
      assertThat(Runs.condition(refused, "Created")).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("PodRefused");
        assertThat(c.getMessage()).contains("exceeded quota");
      });
    }
  }
}
