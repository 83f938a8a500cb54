package dev.stt.operator.robustness;

import static dev.stt.operator.robustness.Runs.restarts;
import static dev.stt.operator.Trainings.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.operator.robustness.MockApi.Fault;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator stopped and a new instance started: while a worker fails, while a gang restart waits for its new
 * workers, and after the run finished. No duplicate pods, the restart count exact, the status kept.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorRestartTest extends OperatorUnderFaults {
  @AfterEach
  void invariants() {
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  private void restartOperator() {
    harness.stop();
    harness.start();
  }

  private void stableFor(Duration duration, String name, int pods, int restarts) {
    await().during(duration).atMost(duration.plusSeconds(4)).untilAsserted(() -> {
      assertThat(harness.pods(name)).hasSize(pods);
      assertThat(restarts(harness.get(name))).isEqualTo(restarts);
    });
  }

  @Test
  void aFailureWhileTheOperatorIsDownIsCountedOnceByTheNextInstance() {
    harness.apply(training("down", "resources: {workers: 2}"));
    List<Pod> first = harness.awaitPods("down", 2, 0);
    first.forEach(harness::running);
    var running = harness.awaitStatus("down", t -> t.getStatus().phase == Phase.Running);

    harness.stop();
    harness.failed(first.get(1), 1, "Error", "RuntimeError: HCCL timeout");
    harness.start();

    List<Pod> second = harness.awaitPods("down", 2, 1);
    stableFor(Duration.ofSeconds(1), "down", 2, 1);
    var after = harness.get("down");
    assertThat(after.getStatus().startTime).isEqualTo(running.getStatus().startTime);
    assertThat(after.getStatus().message).contains("down-worker-1", "HCCL timeout");
    second.forEach(harness::succeeded);
    var done = harness.awaitStatus("down", t -> t.getStatus().phase == Phase.Succeeded);
    assertThat(restarts(done)).isEqualTo(1);
    assertThat(done.getStatus().conditions).extracting(Condition::getType).doesNotHaveDuplicates();
  }

  @Test
  void aNewInstanceInTheMiddleOfAGangRestartCreatesEachWorkerOnce() {
    // Pods of the new attempt cannot be created for a while (quota exceeded), so the restart is caught half done.
    AtomicBoolean quotaExceeded = new AtomicBoolean();
    AtomicInteger refused = new AtomicInteger();
    api.intercept(HttpMethod.POST, "/api/v1/namespaces/ml/pods", r -> {
      if (quotaExceeded.get()) {
        refused.incrementAndGet();
        return Fault.quotaExceeded("midway-worker-0");
      }
      return null;
    });
    harness.apply(training("midway", "resources: {workers: 2}"));
    List<Pod> first = harness.awaitPods("midway", 2, 0);
    first.forEach(harness::running);
    var running = harness.awaitStatus("midway", t -> t.getStatus().phase == Phase.Running);

    quotaExceeded.set(true);
    harness.failed(first.get(0), 137, "OOMKilled", null);
    var restarting = harness.awaitStatus("midway", t -> restarts(t) == 1);
    assertThat(restarting.getStatus().phase).isEqualTo(Phase.Restarting);
    await().atMost(Duration.ofSeconds(5)).until(() -> refused.get() >= 1 && harness.pods("midway").isEmpty());

    restartOperator();
    await().atMost(Duration.ofSeconds(5)).until(() -> refused.get() >= 2);
    quotaExceeded.set(false);
    List<Pod> second = harness.awaitPods("midway", 2, 1);
    stableFor(Duration.ofSeconds(1), "midway", 2, 1);
    second.forEach(harness::running);
    var resumed = harness.awaitStatus("midway", t -> t.getStatus().phase == Phase.Running);
    assertThat(restarts(resumed)).isEqualTo(1);
    assertThat(resumed.getStatus().startTime).isEqualTo(running.getStatus().startTime);
  }

  @Test
  void aRunThatFinishedWhileTheOperatorWasDownEndsOnceAndKeepsItsPods() {
    harness.apply(training("finished", "resources: {workers: 2}"));
    List<Pod> pods = harness.awaitPods("finished", 2, 0);
    pods.forEach(harness::running);
    harness.awaitStatus("finished", t -> t.getStatus().phase == Phase.Running);

    harness.stop();
    pods.forEach(harness::succeeded);
    harness.start();
    var done = harness.awaitStatus("finished", t -> t.getStatus().phase == Phase.Succeeded);
    assertThat(restarts(done)).isZero();
    assertThat(done.getStatus().completionTime).isNotNull();
    String completed = done.getStatus().completionTime;

    // A second restart after the end changes nothing: same completion, finished pods kept (cleanPodPolicy Running).
    restartOperator();
    stableFor(Duration.ofSeconds(1), "finished", 2, 0);
    assertThat(harness.get("finished").getStatus().completionTime).isEqualTo(completed);
    assertThat(harness.get("finished").getStatus().phase).isEqualTo(Phase.Succeeded);
  }
}
