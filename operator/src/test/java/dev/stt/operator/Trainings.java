package dev.stt.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stt.api.plan.Plan;
import dev.stt.api.plan.RunPlanner;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test resources: the repository's examples and resources written inline. */
public final class Trainings {
  public static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  public static final Path EXAMPLES = REPO.resolve("examples");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Trainings() {}

  public static SentenceTransformerTraining example(String file) {
    return read(EXAMPLES.resolve(file));
  }

  /** Every SentenceTransformerTraining in examples/. */
  public static List<Path> examples() {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).filter(f -> {
        try {
          return Files.readString(f).contains("kind: SentenceTransformerTraining");
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SentenceTransformerTraining read(Path file) {
    try {
      return withNamespace(YAML.readValue(file.toFile(), SentenceTransformerTraining.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A valid all-mpnet-base-v2 STS run in namespace ml (as examples/sts-mpnet-1card.yaml), with extra spec lines. */
  public static SentenceTransformerTraining training(String name, String extraSpec) {
    return parse("""
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata:
          name: %s
          namespace: ml
        spec:
          recipe: sts
          model:
            name: sentence-transformers/all-mpnet-base-v2
          bf16: true
          output:
            claimName: models
        %s
        """.formatted(name, extraSpec.indent(2)));
  }

  public static SentenceTransformerTraining parse(String yaml) {
    try {
      return withNamespace(YAML.readValue(yaml, SentenceTransformerTraining.class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Plan plan(SentenceTransformerTraining training) {
    RunPlanner.Result result = RunPlanner.plan(training.getSpec());
    if (!result.valid()) {
      throw new AssertionError("invalid: " + result.problems());
    }
    return result.plan();
  }

  private static SentenceTransformerTraining withNamespace(SentenceTransformerTraining training) {
    if (training.getMetadata().getNamespace() == null) {
      training.getMetadata().setNamespace("ml");
    }
    return training;
  }
}
