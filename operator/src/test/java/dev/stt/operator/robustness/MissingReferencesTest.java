package dev.stt.operator.robustness;

import static dev.stt.operator.robustness.Runs.condition;
import static dev.stt.operator.robustness.Runs.restarts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.Trainings;
import dev.stt.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * References the operator cannot check itself: it has no RBAC to read Secrets, and the kubelet reports a missing
 * Secret (or image pull secret) in the container's waiting state; a missing claim it checks before creating workers
 * (the claim appearing later is TrainingLifecycleTest.missingVolumeKeepsTheRunPendingUntilItExists).
 */
@EnableKubernetesMockClient(crud = true)
class MissingReferencesTest extends OperatorUnderFaults {
  private static final String RUN = "nli-e5-mistral-cache-token";

  private static PodStatus waiting(String reason, String message) {
    return new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
        .withName("trainer").withReady(false).withRestartCount(0).withNewState().withNewWaiting()
        .withReason(reason).withMessage(message).endWaiting().endState().build()).build();
  }

  private SentenceTransformerTraining awaitMessage(String text) {
    return harness.awaitStatus(RUN, t -> t.getStatus().message != null && t.getStatus().message.contains(text));
  }

  @Test
  void aMissingSecretKeepsTheRunPendingNamingItUntilItExists() {
    harness.apply(Trainings.example(RUN + ".yaml"));
    Pod pod = harness.awaitPods(RUN, 1, 0).get(0);
    harness.setStatus(pod, waiting("CreateContainerConfigError", "secret \"hf-token\" not found"));

    var waitingForSecret = awaitMessage("secret \"hf-token\" not found");
    assertThat(waitingForSecret.getStatus().phase).isEqualTo(Phase.Pending);
    assertThat(waitingForSecret.getStatus().message).contains(pod.getMetadata().getName(),
        "CreateContainerConfigError");
    assertThat(condition(waitingForSecret, "Running")).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("WaitingForWorkers");
      assertThat(c.getMessage()).contains("secret \"hf-token\" not found");
    });
    assertThat(condition(waitingForSecret, "Created")).hasValueSatisfying(c -> assertThat(c.getStatus())
        .isEqualTo("True"));

    // The Secret is created without the key: the kubelet says so, the message follows.
    harness.setStatus(pod, waiting("CreateContainerConfigError", "couldn't find key token in Secret ml/hf-token"));
    var waitingForKey = awaitMessage("couldn't find key token in Secret ml/hf-token");
    assertThat(waitingForKey.getStatus().phase).isEqualTo(Phase.Pending);

    // Fixed: the container starts and the run with it, on the same pod, without a restart.
    harness.running(pod);
    var running = harness.awaitStatus(RUN, t -> t.getStatus().phase == Phase.Running);
    assertThat(restarts(running)).isZero();
    assertThat(condition(running, "Running")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
    assertThat(harness.pods(RUN)).singleElement().satisfies(p -> assertThat(p.getMetadata().getUid())
        .isEqualTo(pod.getMetadata().getUid()));
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void aMissingImagePullSecretAndUnschedulableWorkersAreNamedWhileTheRunWaits() {
    harness.apply(Trainings.training("waits", "resources: {workers: 2}\nimagePullSecrets: [{name: regcred}]"));
    var pods = harness.awaitPods("waits", 2, 0);
    harness.setStatus(pods.get(0), waiting("ImagePullBackOff", "Back-off pulling image \"" + OperatorHarness.IMAGE
        + "\": pull access denied, repository does not exist or may require authorization"));
    var pulling = harness.awaitStatus("waits", t -> t.getStatus().message != null
        && t.getStatus().message.contains("ImagePullBackOff"));
    assertThat(pulling.getStatus().phase).isEqualTo(Phase.Pending);
    assertThat(pulling.getStatus().message).contains("waits-worker-0", "pull access denied");

    harness.running(pods.get(0));
    harness.setStatus(pods.get(1), new PodStatusBuilder().withPhase("Pending").addNewCondition()
        .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("0/4 nodes are available: 4 Insufficient habana.ai/gaudi.").endCondition().build());
    var unschedulable = harness.awaitStatus("waits", t -> t.getStatus().message != null
        && t.getStatus().message.contains("Insufficient habana.ai/gaudi"));
    assertThat(unschedulable.getStatus().phase).isEqualTo(Phase.Pending);
    assertThat(unschedulable.getStatus().message).contains("1/2 workers running", "waits-worker-1 cannot be scheduled");

    harness.running(pods.get(1));
    var running = harness.awaitStatus("waits", t -> t.getStatus().phase == Phase.Running);
    assertThat(restarts(running)).isZero();
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void bothMissingClaimsAreNamedAndNoWorkerIsCreated() {
    for (String claim : OperatorHarness.CLAIMS) {
      client.persistentVolumeClaims().inNamespace("ml").withName(claim).delete();
    }
    int before = api.requests().size();
    harness.apply(Trainings.example(RUN + ".yaml"));
    var waiting = harness.awaitStatus(RUN, t -> t.getStatus().phase == Phase.Pending);
    assertThat(waiting.getStatus().message).contains("PersistentVolumeClaim models, hf-cache", "namespace ml");
    assertThat(condition(waiting, "Created")).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("VolumeNotFound");
    });
    assertThat(waiting.getStatus().startTime).isNull();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .untilAsserted(() -> assertThat(Runs.owned(client, RUN)).noneMatch(o -> o instanceof Pod));
    List<String> requests = api.requests();
    assertThat(requests.subList(before, requests.size())).noneMatch(r -> r.startsWith("DELETE "));
  }
}
