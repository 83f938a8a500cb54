package dev.stt.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stt.operator.Trainings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrainerProgressTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static StatusUpdate fresh() {
    return new StatusUpdate(Trainings.example("sts-mpnet-1card.yaml"), Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void partialReportsKeepWhatTheyLack() throws Exception {
    StatusUpdate status = fresh();
    TrainerProgress.apply(JSON.readTree("{\"loss\": 0.5}"), status);
    assertThat(status.next().metrics.loss).isEqualTo(0.5);
    assertThat(status.next().progress.step).isNull();
    assertThat(status.next().progress.summary).isNull();
    TrainerProgress.apply(JSON.readTree("{\"step\": 3, \"totalSteps\": 9, \"percent\": 33.3, \"evalValue\": \"NaN\"}"),
        status);
    assertThat(status.next().progress.summary).isEqualTo("3/9 (33%)");
    assertThat(status.next().metrics.loss).isEqualTo(0.5);
    assertThat(status.next().metrics.evalValue).isNull();
  }

  @Test
  void finalReportIsReadOnlyFromJsonTerminationMessages() {
    Pod json = new PodBuilder().withNewStatus().addNewContainerStatus().withNewState().withNewTerminated()
        .withExitCode(0).withMessage("{\"evalName\": \"sts-test\", \"evalValue\": 0.8}").endTerminated().endState()
        .endContainerStatus().endStatus().build();
    assertThat(TrainerProgress.finalReport(json)).hasValueSatisfying(r ->
        assertThat(r.path("evalName").asText()).isEqualTo("sts-test"));
    Pod text = new PodBuilder().withNewStatus().addNewContainerStatus().withNewState().withNewTerminated()
        .withExitCode(0).withMessage("Traceback (most recent call last): ...").endTerminated().endState()
        .endContainerStatus().endStatus().build();
    assertThat(TrainerProgress.finalReport(text)).isEmpty();
    assertThat(TrainerProgress.finalReport(new Pod())).isEmpty();
  }
}
