package dev.stt.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stt.operator.Trainings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
  @TempDir
  Path dir;


  private Path file(String content) throws IOException {
    return Files.writeString(dir.resolve("t.yaml"), content);
  }

  @Test
  void validatePrintsThePlanOfAValidResource() {
    CliRun r = CliRun.of("validate", "-f", Trainings.EXAMPLES.resolve("sts-e5-mistral-zero3-4cards.yaml").toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("sts-e5-mistral-zero3-4cards is valid", "1x4 cards, world size 4",
        "launcher deepspeed", "ZeRO-3", "HPU graphs off", ": fits");
  }

  @Test
  void validateNamesEveryProblemAndExitsTwo() throws IOException {
    CliRun r = CliRun.of("validate", "-f", file("""
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata: {name: bad}
        spec:
          recipe: sts
          model: {name: bert-base-uncased}
          resources: {cards: 16, workers: 0}
          output: {claimName: models}
        """).toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("bad is invalid", "spec.resources.cards = 16", "spec.resources.workers = 0");
  }

  @Test
  void validateReportsThePlannerVerdict() throws IOException {
    CliRun r = CliRun.of("validate", "-f", file("""
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata: {name: e5-full}
        spec:
          recipe: nli
          model: {name: intfloat/e5-mistral-7b-instruct}
          bf16: true
          output: {claimName: models}
        """).toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("spec.resources.hbmGiB = 96", "enable lora", "zeroStage: 3");
  }

  @Test
  void malformedFilesAreRejectedWithTheParserMessage() throws IOException {
    CliRun r = CliRun.of("validate", "-f", file("spec: [unclosed\n  recipe: sts").toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("not valid YAML or JSON");
    CliRun missing = CliRun.of("validate", "-f", dir.resolve("absent.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("absent.yaml");
  }

  @Test
  void renderPrintsEveryObjectAsOneJsonList() throws IOException {
    CliRun r = CliRun.of("render", "-o", "json", "-f", Trainings.EXAMPLES.resolve("sts-mpnet-2x8.yaml").toString());
    assertThat(r.exitCode()).isZero();
    JsonNode list = new ObjectMapper().readTree(r.out());
    assertThat(list.path("kind").asText()).isEqualTo("List");
    assertThat(list.path("items")).extracting(i -> i.path("kind").asText() + "/" + i.at("/metadata/name").asText())
        .containsExactly("ConfigMap/sts-mpnet-2x8-config", "Service/sts-mpnet-2x8-workers",
            "Pod/sts-mpnet-2x8-worker-0", "Pod/sts-mpnet-2x8-worker-1");
  }

  @Test
  void renderYamlUsesTheGivenTrainerImage() {
    CliRun r = CliRun.of("render", "--trainer-image", "example.org/t:9", "-f",
        Trainings.EXAMPLES.resolve("sts-mpnet-1card.yaml").toString());
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("kind: \"ConfigMap\"", "kind: \"Pod\"", "image: \"example.org/t:9\"")
        .doesNotContain("kind: \"Service\"");
  }

  @Test
  void renderRefusesAnInvalidResource() throws IOException {
    CliRun r = CliRun.of("render", "-f", file("""
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata: {name: bad}
        spec: {recipe: translate, model: {name: x}, output: {claimName: m}}
        """).toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("spec.recipe = translate");
    assertThat(r.out()).isEmpty();
  }
}
