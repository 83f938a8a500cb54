package dev.stt.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerStatesTest {
  private static Pod pod(int index, PodStatus status) {
    return new PodBuilder().withNewMetadata().withName("t-worker-" + index)
        .addToLabels("stt.dev/worker-index", String.valueOf(index)).endMetadata().withStatus(status).build();
  }

  @Test
  void countsWorkersAndFindsTheMissingOnes() {
    var states = WorkerStates.of(3, List.of(
        pod(0, new PodStatusBuilder().withPhase("Running").build()),
        pod(2, new PodStatusBuilder().withPhase("Succeeded").build()),
        pod(7, new PodStatusBuilder().withPhase("Running").build())));
    assertThat(states.missing()).containsExactly(1);
    assertThat(states.running()).isEqualTo(1);
    assertThat(states.succeeded()).isEqualTo(1);
    assertThat(states.active()).isEqualTo(1);
    assertThat(states.allRunning()).isFalse();
    assertThat(states.firstFailure()).isEmpty();
  }

  @Test
  void failureTakesTheContainerVerdictAndCapsTheMessage() {
    var states = WorkerStates.of(1, List.of(pod(0, new PodStatusBuilder().withPhase("Failed")
        .addNewContainerStatus().withName("trainer").withNewState().withNewTerminated().withExitCode(2)
        .withReason("Error").withMessage("x".repeat(5000)).endTerminated().endState().endContainerStatus()
        .build())));
    var failure = states.firstFailure().orElseThrow();
    assertThat(failure.invalidConfiguration()).isTrue();
    assertThat(failure.message()).hasSize(515).endsWith("...");
    assertThat(states.failed()).isEqualTo(1);
  }

  @Test
  void anInvalidConfigurationOnAnyWorkerDecides() {
    var states = WorkerStates.of(2, List.of(
        pod(0, new PodStatusBuilder().withPhase("Failed").addNewContainerStatus().withName("trainer").withNewState()
            .withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endState().endContainerStatus()
            .build()),
        pod(1, new PodStatusBuilder().withPhase("Failed").addNewContainerStatus().withName("trainer").withNewState()
            .withNewTerminated().withExitCode(2).withReason("Error").withMessage("bad").endTerminated().endState()
            .endContainerStatus().build())));
    assertThat(states.firstFailure()).hasValueSatisfying(f -> {
      assertThat(f.index()).isEqualTo(1);
      assertThat(f.invalidConfiguration()).isTrue();
    });
  }

  @Test
  void explainsWhyWorkersWait() {
    var unschedulable = WorkerStates.of(1, List.of(pod(0, new PodStatusBuilder().withPhase("Pending")
        .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
        .withMessage("0/3 nodes are available: 3 Insufficient habana.ai/gaudi.").endCondition().build())));
    assertThat(unschedulable.waitingReason()).hasValue(
        "t-worker-0 cannot be scheduled: 0/3 nodes are available: 3 Insufficient habana.ai/gaudi.");
    var pullError = WorkerStates.of(1, List.of(pod(0, new PodStatusBuilder().withPhase("Pending")
        .addNewContainerStatus().withName("trainer").withNewState().withNewWaiting().withReason("ImagePullBackOff")
        .withMessage("Back-off pulling image").endWaiting().endState().endContainerStatus().build())));
    assertThat(pullError.waitingReason()).hasValue("t-worker-0 ImagePullBackOff: Back-off pulling image");
    var creating = WorkerStates.of(1, List.of(pod(0, new PodStatusBuilder().withPhase("Pending")
        .addNewContainerStatus().withName("trainer").withNewState().withNewWaiting().withReason("ContainerCreating")
        .endWaiting().endState().endContainerStatus().build())));
    assertThat(creating.waitingReason()).isEmpty();
  }
}
