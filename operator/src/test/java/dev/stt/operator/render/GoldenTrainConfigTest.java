package dev.stt.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.Trainings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The train.json the operator renders for every example, kept in trainer-image/tests/golden/ where the trainer's
 * tests load each one: the contract test between the two sides. After a deliberate change, run
 * {@code mvn -pl operator test -Dtest=GoldenTrainConfigTest -Dstt.updateGoldens=true} and commit the files.
 */
class GoldenTrainConfigTest {
  static final Path GOLDEN = Trainings.REPO.resolve("trainer-image/tests/golden");

  static Path goldenOf(Path example) {
    return GOLDEN.resolve(example.getFileName().toString().replace(".yaml", ".json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stt.operator.Trainings#examples")
  void renderedTrainJsonMatchesItsGolden(Path example) throws IOException {
    SentenceTransformerTraining training = Trainings.read(example);
    String rendered = TrainConfigMap.desired(training, Trainings.plan(training)).getData().get(TrainConfig.FILE);
    Path golden = goldenOf(example);
    if (Boolean.getBoolean("stt.updateGoldens")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, rendered);
    }
    assertThat(golden).as("missing golden: run with -Dstt.updateGoldens=true").exists();
    assertThat(Files.readString(golden)).as("%s drifted from what the operator renders: run with"
        + " -Dstt.updateGoldens=true if the change is deliberate, and check the trainer still loads it", golden)
        .isEqualTo(rendered);
  }

  @Test
  void everyGoldenBelongsToAnExample() throws IOException {
    try (Stream<Path> files = Files.list(GOLDEN)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(Trainings.examples().stream()
              .map(e -> goldenOf(e).getFileName().toString()).toList());
    }
  }
}
