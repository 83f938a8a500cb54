package dev.stt.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stt.api.validation.TrainingValidator;
import dev.stt.operator.render.TrainingRenderer;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ready-to-apply example: documented, valid as the cluster would judge it, and renderable. */
class ExamplesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stt.operator.Trainings#examples")
  void isDocumentedValidAndRenders(Path file) throws IOException {
    String text = Files.readString(file);
    assertThat(text).as("opens with a comment saying what it trains, where and how long").startsWith("# ");
    assertThat(Files.readString(Trainings.REPO.resolve("README.md"))).as("README's example table")
        .contains("(examples/" + file.getFileName() + ")");

    JsonNode json = YAML.readTree(text);
    var outcome = TrainingValidator.bundled().validate(json);
    assertThat(outcome.problems()).isEmpty();
    var training = outcome.resource();
    training.getMetadata().setNamespace("ml");
    var objects = TrainingRenderer.render(training, outcome.planned().plan(), "trainer:1");
    assertThat(objects.stream().filter(Pod.class::isInstance)).hasSize(outcome.planned().plan().topology().workers());
  }
}
