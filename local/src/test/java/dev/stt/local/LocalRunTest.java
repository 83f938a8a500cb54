package dev.stt.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end through the command line, on the tiny model and data that init-tiny writes. */
class LocalRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TINY_TRAIN = """
          - path: /cache/tiny/data/train.jsonl
            split: train
      """;

  @TempDir
  static Path shared;

  /** The tiny model and data under the cache, as --init-tiny writes them for /cache/tiny/model. */
  @BeforeAll
  static void initTiny() {
    Cli cli = Cli.run("init-tiny", shared.resolve("cache/tiny").toString());
    assertThat(cli.exitCode()).as(cli.err()).isZero();
  }

  @Test
  void theReadmeExampleLearnsTheHeldOutSimilarity(@TempDir Path dir) throws IOException {
    Cli cli = Cli.run("train", "-f", Path.of("../examples/local/sts-tiny.yaml").toString(), "--init-tiny",
        "--cache", dir.resolve("cache").toString(), "--out", dir.resolve("out").toString(), "--threads", "2");

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    JsonNode metrics = JSON.readTree(dir.resolve("out/metrics.json").toFile());
    assertThat(metrics.get("spearmanAfter").asDouble() - metrics.get("spearmanBefore").asDouble())
        .as(metrics.toString()).isGreaterThanOrEqualTo(0.3);
    assertThat(metrics.get("spearmanTestAfter").asDouble() - metrics.get("spearmanTestBefore").asDouble())
        .isGreaterThanOrEqualTo(0.3);
    assertThat(metrics.get("trainSeconds").asDouble()).isPositive();
    assertThat(metrics.get("samplesPerSecond").asDouble()).isPositive();
    for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "modules.json",
        "1_Pooling/config.json", "sentence_bert_config.json")) {
      assertThat(dir.resolve("out").resolve(file)).isRegularFile();
    }
    assertThat(cli.out()).contains("not applied locally: zeroStage", "validation Spearman: ");

    Cli encoded = Cli.run("encode", "--model", dir.resolve("out").toString(), "the dog eats the ball", "a cat");
    assertThat(encoded.exitCode()).as(encoded.err()).isZero();
    assertThat(encoded.out().lines()).hasSize(2).allMatch(line -> line.split(",").length == 128);
  }

  @Test
  void nliLossFalls(@TempDir Path dir) throws IOException {
    // NLI labels from the graded pairs: near-paraphrases entail, half-changed pairs are neutral, the rest contradict.
    List<ObjectNode> rows = new ArrayList<>();
    for (JsonNode pair : pairs(800)) {
      double score = pair.get("score").asDouble();
      rows.add(JSON.createObjectNode().put("premise", pair.get("sentence1").asText())
          .put("hypothesis", pair.get("sentence2").asText())
          .put("label", score >= 0.85 ? "entailment" : score >= 0.45 ? "neutral" : "contradiction"));
    }
    writeJsonl(cache().resolve("nli.jsonl"), rows);

    Cli cli = Cli.train(cache(), dir, resource("nli", """
            - path: /cache/nli.jsonl
              split: train
        """, "epochs: 5"));

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out()).contains("note: test data sentence-transformers/stsb is a Hugging Face dataset, not"
        + " evaluated locally");
    assertLossFell(dir.resolve("out/metrics.json"));
  }

  @Test
  void paraphrasesLossFallsAndBf16FallsBackToFp32WithANotice(@TempDir Path dir) throws IOException {
    List<ObjectNode> rows = new ArrayList<>();
    for (JsonNode pair : pairs(2000)) {
      if (pair.get("score").asDouble() >= 0.99) {
        rows.add(JSON.createObjectNode().put("anchor", pair.get("sentence1").asText())
            .put("positive", pair.get("sentence2").asText()));
      }
    }
    writeJsonl(cache().resolve("paraphrases.jsonl"), rows);

    Cli cli = Cli.train(cache(), dir, resource("paraphrases", """
            - path: /cache/paraphrases.jsonl
              split: train
        """, "epochs: 2").replace("spec:\n", "spec:\n  bf16: true\n"));

    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(cli.out()).contains("bf16 requested, but DJL's PyTorch engine has no bfloat16 tensors: training in"
        + " fp32");
    assertLossFell(dir.resolve("out/metrics.json"));
  }

  @Test
  void anInvalidResourceIsRejectedAsTheOperatorWould(@TempDir Path dir) throws IOException {
    Cli cli = Cli.train(cache(), dir, resource("sts", "", "epochs: 1").replace("  recipe: sts", "  recipe: sts\n  lora:\n"
        + "    r: 8"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("is invalid", "lora.r, lora.alpha, lora.dropout and lora.targetModules only"
        + " apply when lora.enabled is true");
  }

  @Test
  void missingDataSaysWhichEntryAndFile(@TempDir Path dir) throws IOException {
    Cli cli = Cli.train(cache(), dir, resource("sts", """
            - path: /cache/nowhere.jsonl
              split: train
        """, "epochs: 1"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("datasets (train, /cache/nowhere.jsonl): no such file",
        cache().resolve("nowhere.jsonl").toString());
  }

  @Test
  void theRecipesHubDatasetsNeedFilesLocally(@TempDir Path dir) throws IOException {
    Cli cli = Cli.train(cache(), dir, resource("sts", "", "epochs: 1"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("datasets (train): sentence-transformers/stsb is a Hugging Face dataset",
        "give datasets entries with path");
  }

  @Test
  void aMissingColumnNamesTheMapping(@TempDir Path dir) throws IOException {
    writeJsonl(cache().resolve("q.jsonl"), List.of(JSON.createObjectNode().put("question", "a").put("answer", "b")
        .put("score", 1)));

    Cli cli = Cli.train(cache(), dir, resource("sts", """
            - path: /cache/q.jsonl
              split: train
        """, "epochs: 1"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("q.jsonl row 1): no column sentence1 (the row has [question, answer, score])",
        "datasets[].columns");
  }

  @Test
  void aMissingModelFolderSaysWhereItWasLookedFor(@TempDir Path dir) throws IOException {
    Cli cli = Cli.train(cache(), dir, resource("sts", TINY_TRAIN, "epochs: 1").replace("/cache/tiny/model",
        "/cache/absent/model"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("model.name /cache/absent/model maps to " + cache().resolve("absent/model")
        + ", which does not exist", "--init-tiny");
  }

  @Test
  void anUnsupportedArchitectureIsNamed(@TempDir Path dir) throws IOException {
    Path model = cache().resolve("decoder");
    Files.createDirectories(model);
    Files.writeString(model.resolve("config.json"), "{\"model_type\": \"mistral\", \"hidden_act\": \"gelu\"}");

    Cli cli = Cli.train(cache(), dir, resource("sts", TINY_TRAIN, "epochs: 1").replace("/cache/tiny/model",
        "/cache/decoder"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("model_type 'mistral' is not supported", "bert (also MiniLM), roberta,"
        + " distilbert, mpnet");
  }

  @Test
  void aHubModelOfflineSaysHowToUseALocalDirectory(@TempDir Path dir) throws IOException {
    Cli cli = Cli.train(cache(), dir, resource("sts", TINY_TRAIN, "epochs: 1").replace("/cache/tiny/model",
        "sentence-transformers/all-MiniLM-L6-v2"));

    assertThat(cli.exitCode()).isEqualTo(LocalRun.INVALID);
    assertThat(cli.err()).contains("all-MiniLM-L6-v2 is not in the Hugging Face cache", "offline",
        "set model.name: /cache/");
  }

  private static Path cache() {
    return shared.resolve("cache");
  }

  private static void assertLossFell(Path metricsFile) throws IOException {
    JsonNode metrics = JSON.readTree(metricsFile.toFile());
    assertThat(metrics.get("lossLast").asDouble()).as(metrics.toString())
        .isLessThan(metrics.get("lossFirst").asDouble() * 0.8);
  }

  /** A resource on the shared tiny model with the given datasets (validation: the tiny dev pairs). */
  static String resource(String recipe, String trainDatasets, String training) {
    return """
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata:
          name: test
        spec:
          recipe: %s
          model:
            name: /cache/tiny/model
            architecture: bert
          training:
            %s
            batchSize: 16
            learningRate: 1.0e-3
            loggingSteps: 10
          datasets:
        %s    - path: /cache/tiny/data/dev.jsonl
              split: validation
          cache:
            claimName: local
          output:
            claimName: local
        """.formatted(recipe, training, trainDatasets);
  }

  private static List<JsonNode> pairs(int limit) throws IOException {
    List<JsonNode> pairs = new ArrayList<>();
    for (String line : Files.readAllLines(shared.resolve("cache/tiny/data/train.jsonl"))) {
      if (pairs.size() < limit) {
        pairs.add(JSON.readTree(line));
      }
    }
    return pairs;
  }

  private static void writeJsonl(Path file, List<ObjectNode> rows) throws IOException {
    Files.createDirectories(file.getParent());
    List<String> lines = new ArrayList<>();
    for (ObjectNode row : rows) {
      lines.add(JSON.writeValueAsString(row));
    }
    Files.write(file, lines);
  }
}
