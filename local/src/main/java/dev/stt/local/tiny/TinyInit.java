package dev.stt.local.tiny;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code init-tiny DIR}: a tiny random model in {@code DIR/model/} and graded STS-style pairs in
 * {@code DIR/data/train.jsonl}, {@code dev.jsonl} and {@code test.jsonl}. Deterministic, so every run and test sees
 * the same files.
 */
public final class TinyInit {
  public static final int TRAIN_PAIRS = 2000;
  public static final int EVAL_PAIRS = 300;
  private static final long SEED = 42;
  private static final ObjectMapper JSON = new ObjectMapper();

  private TinyInit() {}

  public static void write(NDManager manager, Path dir) throws IOException {
    TinyModel.write(manager, dir.resolve("model"), SEED);
    // Separate seeds keep the evaluation pairs apart from the training pairs.
    writePairs(dir.resolve("data/train.jsonl"), TRAIN_PAIRS, SEED);
    writePairs(dir.resolve("data/dev.jsonl"), EVAL_PAIRS, SEED + 1);
    writePairs(dir.resolve("data/test.jsonl"), EVAL_PAIRS, SEED + 2);
  }

  private static void writePairs(Path file, int count, long seed) throws IOException {
    Files.createDirectories(file.getParent());
    TinyGrammar grammar = new TinyGrammar(seed);
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      for (int i = 0; i < count; i++) {
        TinyGrammar.Pair pair = grammar.pair();
        out.write(JSON.writeValueAsString(JSON.createObjectNode().put("sentence1", pair.sentence1())
            .put("sentence2", pair.sentence2()).put("score", pair.score())));
        out.newLine();
      }
    }
  }
}
