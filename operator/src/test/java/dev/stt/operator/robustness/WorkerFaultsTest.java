package dev.stt.operator.robustness;

import static dev.stt.operator.robustness.Runs.condition;
import static dev.stt.operator.robustness.Runs.restarts;
import static dev.stt.operator.Trainings.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Workers that fail in the ways a cluster makes them fail, beyond TrainingLifecycleTest: node lost, terminated by the
 * kubelet without a container verdict, several workers deleted at once, OOMKilled then resumed, exit code 2 on one
 * worker of many, and a run of failures up to the backoff limit.
 */
@EnableKubernetesMockClient(crud = true)
class WorkerFaultsTest extends OperatorUnderFaults {
  @AfterEach
  void invariants() {
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  private List<Pod> runningGang(String name, int workers, String runPolicy) {
    harness.apply(training(name, "resources: {workers: " + workers + "}\n" + runPolicy));
    List<Pod> pods = harness.awaitPods(name, workers, 0);
    pods.forEach(harness::running);
    harness.awaitStatus(name, t -> t.getStatus().phase == Phase.Running);
    return pods;
  }

  /** The pod failed without a container verdict, as the node lifecycle controller or the kubelet leave it. */
  private void failedWithoutVerdict(Pod pod, String reason, String message) {
    harness.setStatus(pod, new PodStatusBuilder().withPhase("Failed").withReason(reason).withMessage(message).build());
  }

  /** restarts stays at {@code expected} for a while: a failure is counted once, not once per event. */
  private void restartsStay(String name, int expected) {
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(4))
        .untilAsserted(() -> assertThat(restarts(harness.get(name))).isEqualTo(expected));
  }

  @Test
  void nodeLostRestartsTheGangOnceAndTheRunCompletes() {
    List<Pod> first = runningGang("nodelost", 2, "");
    failedWithoutVerdict(first.get(0), "NodeLost", "Node gaudi-3 which was running pod nodelost-worker-0 is"
        + " unresponsive");
    var restarting = harness.awaitStatus("nodelost", t -> restarts(t) == 1);
    assertThat(restarting.getStatus().message).contains("nodelost-worker-0 NodeLost", "gaudi-3 which was running");
    // The Running condition moves on to WaitingForWorkers at once; the event keeps the reason.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(client.v1().events().inNamespace("ml").list()
        .getItems()).anyMatch(e -> "Warning".equals(e.getType()) && "NodeLost".equals(e.getReason())
            && e.getMessage().contains("restart 1/3")));
    List<Pod> second = harness.awaitPods("nodelost", 2, 1);
    restartsStay("nodelost", 1);
    second.forEach(harness::running);
    harness.awaitStatus("nodelost", t -> t.getStatus().phase == Phase.Running);
    second.forEach(harness::succeeded);
    var done = harness.awaitStatus("nodelost", t -> t.getStatus().phase == Phase.Succeeded);
    assertThat(restarts(done)).isEqualTo(1);
    assertThat(done.getStatus().conditions).extracting(Condition::getType).doesNotHaveDuplicates();
  }

  @Test
  void terminatedWithoutVerdictAtTheBackoffLimitFailsAndStopsTheOtherWorkers() {
    List<Pod> pods = runningGang("shutdown", 2, "runPolicy: {backoffLimit: 0}");
    failedWithoutVerdict(pods.get(1), "Terminated", "Pod was terminated in response to imminent node shutdown.");
    var failed = harness.awaitStatus("shutdown", t -> t.getStatus().phase == Phase.Failed);
    assertThat(condition(failed, "Failed")).hasValueSatisfying(c -> assertThat(c.getReason())
        .isEqualTo("BackoffLimitExceeded"));
    assertThat(failed.getStatus().message).contains("shutdown-worker-1 Terminated", "imminent node shutdown",
        "backoffLimit 0");
    assertThat(failed.getStatus().completionTime).isNotNull();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.pods("shutdown"))
        .extracting(p -> p.getMetadata().getName()).containsExactly("shutdown-worker-1"));
    restartsStay("shutdown", 0);
  }

  @Test
  void severalWorkersDeletedAtOnceRestartTheGangOnce() {
    List<Pod> first = runningGang("deleted", 3, "");
    client.pods().inNamespace("ml").resource(first.get(0)).delete();
    client.pods().inNamespace("ml").resource(first.get(2)).delete();
    var restarting = harness.awaitStatus("deleted", t -> restarts(t) >= 1);
    assertThat(restarting.getStatus().message).containsAnyOf("WorkerLost", "WorkerDeleted");
    List<Pod> second = harness.awaitPods("deleted", 3, 1);
    restartsStay("deleted", 1);
    assertThat(second).extracting(p -> p.getMetadata().getName())
        .containsExactly("deleted-worker-0", "deleted-worker-1", "deleted-worker-2");
    second.forEach(harness::running);
    var running = harness.awaitStatus("deleted", t -> t.getStatus().phase == Phase.Running);
    assertThat(restarts(running)).isEqualTo(1);
  }

  @Test
  void oomKilledWorkerRestartsAndTheRunResumes() {
    List<Pod> first = runningGang("oom-resume", 1, "");
    harness.failed(first.get(0), 137, "OOMKilled", null);
    var restarting = harness.awaitStatus("oom-resume", t -> restarts(t) == 1);
    assertThat(restarting.getStatus().message).contains("OOMKilled", "exit code 137", "restart 1/3");
    Pod second = harness.awaitPods("oom-resume", 1, 1).get(0);
    harness.running(second);
    harness.awaitStatus("oom-resume", t -> t.getStatus().phase == Phase.Running);
    harness.succeeded(second);
    var done = harness.awaitStatus("oom-resume", t -> t.getStatus().phase == Phase.Succeeded);
    assertThat(restarts(done)).isEqualTo(1);
  }

  @Test
  void exitCodeTwoOnOneWorkerFailsAtOnceAndStopsTheOthers() {
    List<Pod> pods = runningGang("badcfg-gang", 2, "runPolicy: {backoffLimit: 5}");
    harness.failed(pods.get(1), 2, "Error", "{\"error\": \"train.json: datasets[0].columns: unknown column\"}");
    var failed = harness.awaitStatus("badcfg-gang", t -> t.getStatus().phase == Phase.Failed);
    assertThat(condition(failed, "Failed")).hasValueSatisfying(c -> assertThat(c.getReason())
        .isEqualTo("InvalidConfiguration"));
    assertThat(failed.getStatus().message).contains("badcfg-gang-worker-1", "exit code 2", "unknown column");
    assertThat(restarts(failed)).isZero();
    // cleanPodPolicy Running (default): the running worker is stopped, the failed one keeps its logs.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.pods("badcfg-gang"))
        .extracting(p -> p.getMetadata().getName()).containsExactly("badcfg-gang-worker-1"));
    restartsStay("badcfg-gang", 0);
  }

  @Test
  void everyFailureUpToTheBackoffLimitIsCountedExactlyOnce() {
    harness.apply(training("limit", "resources: {workers: 2}\nrunPolicy: {backoffLimit: 2, cleanPodPolicy: All}"));
    for (int attempt = 0; attempt <= 2; attempt++) {
      List<Pod> pods = harness.awaitPods("limit", 2, attempt);
      pods.forEach(harness::running);
      harness.failed(pods.get(attempt % 2), 1, "Error", "failure " + attempt);
      if (attempt < 2) {
        int expected = attempt + 1;
        harness.awaitStatus("limit", t -> restarts(t) == expected);
      }
    }
    var failed = harness.awaitStatus("limit", t -> t.getStatus().phase == Phase.Failed);
    assertThat(restarts(failed)).isEqualTo(2);
    assertThat(condition(failed, "Failed")).hasValueSatisfying(c -> assertThat(c.getReason())
        .isEqualTo("BackoffLimitExceeded"));
    assertThat(failed.getStatus().message).contains("failure 2", "backoffLimit 2");
    // cleanPodPolicy All: no worker left, and none recreated.
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(4))
        .untilAsserted(() -> assertThat(harness.pods("limit")).isEmpty());
    restartsStay("limit", 2);
  }
}
