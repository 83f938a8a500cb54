package dev.stt.local.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import dev.stt.api.v1alpha1.Recipe;
import dev.stt.local.model.SentenceModel;
import dev.stt.local.tiny.TinyInit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.assertj.core.data.Offset;

/** Training on the tiny model: what a saved model reloads to, and what LoRA leaves alone. */
class TrainingTest {
  private static final List<String> TEXTS = List.of("the dog eats the ball in the park",
      "a kitten observes a novel at the beach", "in the market the chef often buys the bread");
  private static final Trainer.Settings SETTINGS = new Trainer.Settings(1, 16, 1e-3, 0.1, 2, 1000, 1);

  @TempDir
  static Path tiny;
  private static NDManager manager;
  private static List<Example> pairs;

  @BeforeAll
  static void initTiny() throws IOException {
    manager = NDManager.newBaseManager();
    TinyInit.write(manager, tiny);
    pairs = DataFiles.read(new DataFiles.Source("train", tiny.resolve("data/train.jsonl"), "train", Map.of(), 320),
        Recipe.STS);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void aSavedModelReloadsWithIdenticalEmbeddings(@TempDir Path out) throws IOException {
    float[][] trained;
    try (SentenceModel model = load(tiny.resolve("model"))) {
      train(model);
      trained = model.encode(TEXTS, 3);
      model.save(out);
    }
    try (SentenceModel reloaded = load(out)) {
      assertThat(reloaded.encode(TEXTS, 3)).isEqualTo(trained);
    }
  }

  @Test
  void loraTrainsOnlyTheAdaptersAndSavesThemMerged(@TempDir Path out) throws IOException {
    float[][] trained;
    try (SentenceModel model = load(tiny.resolve("model"))) {
      Map<String, float[]> base = new HashMap<>();
      model.encoder().hfParameters().forEach((name, p) -> base.put(name, p.getArray().toFloatArray()));

      List<String> adapted = model.addLora(List.of("query", "value"), 4, 8, 0.05, 1);

      assertThat(adapted).hasSize(4).allMatch(m -> m.endsWith(".query") || m.endsWith(".value"));
      assertThat(model.trainableParameters()).hasSize(8).extracting(Parameter::getName)
          .containsOnly("lora_A", "lora_B");
      train(model);
      model.encoder().hfParameters().forEach((name, p) -> assertThat(p.getArray().toFloatArray()).as(name)
          .isEqualTo(base.get(name)));
      model.encoder().adapterParameters().forEach((name, p) -> {
        if (name.contains("lora_B")) {
          assertThat(p.getArray().abs().max().getFloat()).as(name).isPositive();
        }
      });
      trained = model.encode(TEXTS, 3);
      model.save(out);
    }
    assertThat(out.resolve("adapter/adapter_model.safetensors")).isRegularFile();
    assertThat(out.resolve("adapter/adapter_config.json")).content().contains("\"target_modules\" : [ \"query\","
        + " \"value\" ]");
    try (SentenceModel merged = load(out)) {
      float[][] reloaded = merged.encode(TEXTS, 3);
      for (int i = 0; i < TEXTS.size(); i++) {
        assertThat(reloaded[i]).containsExactly(trained[i], Offset.offset(1e-4f));
      }
    }
  }

  private static SentenceModel load(Path dir) throws IOException {
    return SentenceModel.load(manager, dir, null, n -> { });
  }

  private static void train(SentenceModel model) {
    Progress quiet = new Progress(new PrintWriter(new StringWriter()), false, 100);
    Trainer.Result result = new Trainer(SETTINGS, quiet).train(model, Objective.of(Recipe.STS, model, 1),
        List.of(pairs), false, null);
    assertThat(result.steps()).isEqualTo(10);
  }
}
