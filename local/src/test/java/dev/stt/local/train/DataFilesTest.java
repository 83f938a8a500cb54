package dev.stt.local.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stt.api.v1alpha1.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFilesTest {

  @Test
  void csvColumnsAreMappedAndStsScoresScaled(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("pairs.csv");
    Files.writeString(file, "question,answer,score\n\"a, quoted\",b,5\nc,d,2.5\n");

    List<Example> rows = DataFiles.read(new DataFiles.Source("datasets[0]", file, "validation",
        Map.of("sentence1", "question", "sentence2", "answer"), null), Recipe.NLI);

    assertThat(rows).containsExactly(new Example(List.of("a, quoted", "b"), 1f),
        new Example(List.of("c", "d"), 0.5f));
  }

  @Test
  void nliLabelsByNameOrNumberAndALimit(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nli.jsonl");
    Files.writeString(file, """
        {"premise": "p", "hypothesis": "h", "label": "Contradiction"}

        {"premise": "p", "hypothesis": "h", "label": 1}
        {"premise": "p", "hypothesis": "h", "label": 0}
        """);

    List<Example> rows = DataFiles.read(new DataFiles.Source("train", file, "train", Map.of(), 2), Recipe.NLI);

    assertThat(rows).extracting(Example::label).containsExactly(2f, 1f);
  }

  @Test
  void badRowsAreNamed(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nli.jsonl");
    Files.writeString(file, "{\"premise\": \"p\", \"hypothesis\": \"h\", \"label\": \"maybe\"}\nnot json\n");
    DataFiles.Source source = new DataFiles.Source("datasets[1]", file, "train", Map.of(), null);

    assertThatThrownBy(() -> DataFiles.read(source, Recipe.NLI)).hasMessageContaining("line 2 is not JSON");
    assertThatThrownBy(() -> DataFiles.read(new DataFiles.Source("datasets[1]", file, "train", Map.of(), 1),
        Recipe.NLI)).hasMessage("datasets[1] (nli.jsonl row 1): label \"maybe\" is neither 0..2 nor one of"
            + " [entailment, neutral, contradiction]");
  }
}
