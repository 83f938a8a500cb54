package dev.stt.local;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.Recipe;
import dev.stt.api.validation.Problem;
import dev.stt.api.validation.TrainingValidator;
import dev.stt.local.model.ModelException;
import dev.stt.local.model.SentenceModel;
import dev.stt.local.tiny.TinyInit;
import dev.stt.local.train.DataException;
import dev.stt.local.train.DataFiles;
import dev.stt.local.train.Evaluator;
import dev.stt.local.train.Example;
import dev.stt.local.train.Objective;
import dev.stt.local.train.Progress;
import dev.stt.local.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One SentenceTransformerTraining run on this machine: the resource is validated by the operator's own validator and
 * planned by its planner, its volumes are mapped to local folders, and the recipe trains on the CPU with DJL.
 */
public final class LocalRun {
  /** Invalid resource or inputs: the same exit code as {@code stt-operator validate}. */
  public static final int INVALID = 2;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The command line: resource file, folders for the two volumes, and local choices. */
  public record Options(Path file, Path out, Path cache, boolean initTiny, int threads, boolean offline) {}

  private final Options options;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal;

  public LocalRun(Options options, PrintWriter out, PrintWriter err, boolean terminal) {
    this.options = options;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  public int run() throws IOException {
    JsonNode resource = ResourceFile.read(options.file());
    String name = resource.path("metadata").path("name").asText("(unnamed)");
    TrainingValidator.Outcome outcome = TrainingValidator.bundled().validate(resource);
    if (!outcome.valid()) {
      err.println(Problem.report(options.file().toString(), name, outcome.problems()));
      err.flush();
      return INVALID;
    }
    Plan plan = outcome.planned().plan();
    Volumes volumes = new Volumes(options.cache(), options.out());
    say(name + ": " + plan.recipe().value() + " on " + plan.model().name() + " ("
        + (plan.lora().enabled() ? "LoRA" : "full fine-tune") + ", " + plan.training().epochs() + " epochs, batch "
        + plan.training().batchSize() + ", learning rate " + plan.training().learningRate() + ")");
    say("not applied locally: zeroStage, resources (cards " + plan.topology() + ", HBM), hpuGraphs, lazyMode,"
        + " gradientCheckpointing, saveSteps; one process on " + options.threads() + " CPU threads");

    Path modelDir = modelDir(plan, volumes);
    try (NDManager manager = NDManager.newBaseManager()) {
      if (options.initTiny()) {
        initTiny(manager, modelDir);
      } else if (!Files.isDirectory(modelDir)) {
        throw new ModelException("model.name " + plan.model().name() + " maps to " + modelDir + ", which does not"
            + " exist: point --cache (for /cache/) or --out (for /output/) at the folder that holds it, or pass"
            + " --init-tiny to write a tiny example model and data there");
      }
      Data data = data(plan, volumes);
      try (SentenceModel model = SentenceModel.load(manager, modelDir, plan.model().maxSeqLength(),
          n -> say("note: " + n))) {
        configure(model, plan);
        return train(model, plan, data);
      }
    }
  }

  private Path modelDir(Plan plan, Volumes volumes) {
    String name = plan.model().name();
    if (name.startsWith("/")) {
      return volumes.local(name);
    }
    boolean offline = options.offline() || "1".equals(System.getenv("HF_HUB_OFFLINE"));
    return HubModels.resolve(name, plan.model().revision(), options.cache(), offline, this::say);
  }

  private void initTiny(NDManager manager, Path modelDir) throws IOException {
    if (!modelDir.getFileName().toString().equals("model")) {
      throw new ModelException("--init-tiny writes DIR/model and DIR/data, so model.name must end in /model (it"
          + " maps to " + modelDir + ")");
    }
    TinyInit.write(manager, modelDir.getParent());
    say("wrote the tiny model and data to " + modelDir.getParent());
  }

  /** Training sets one by one (they are batched separately), evaluation splits concatenated. */
  private record Data(List<List<Example>> train, List<Example> validation, List<Example> test) {}

  private Data data(Plan plan, Volumes volumes) throws IOException {
    List<List<Example>> train = new ArrayList<>();
    List<Example> validation = new ArrayList<>();
    List<Example> test = new ArrayList<>();
    for (Plan.Dataset d : plan.datasets()) {
      String where = "datasets (" + d.split() + (d.path() != null ? ", " + d.path() : "") + ")";
      if (d.path() == null && d.split().equals("train")) {
        throw new DataException(where + ": " + d.name() + " is a Hugging Face dataset; the local runner reads files:"
            + " give datasets entries with path (JSONL or CSV under /cache/ or /output/) for the train split");
      }
      if (d.path() == null) {
        say("note: " + d.split() + " data " + d.name() + " is a Hugging Face dataset, not evaluated locally; give a "
            + d.split() + " dataset with path to evaluate it");
        continue;
      }
      List<Example> rows = DataFiles.read(new DataFiles.Source(where, volumes.local(d.path()), d.split(),
          d.columns(), d.maxSamples()), plan.recipe());
      switch (d.split()) {
        case "train" -> train.add(rows);
        case "validation" -> validation.addAll(rows);
        default -> test.addAll(rows);
      }
    }
    return new Data(train, validation, test);
  }

  private void configure(SentenceModel model, Plan plan) {
    if (plan.lora().enabled()) {
      long all = model.trainableParameters().stream().mapToLong(p -> p.getArray().size()).sum();
      List<String> adapted = model.addLora(plan.lora().targetModules(), plan.lora().r(), plan.lora().alpha(),
          plan.lora().dropout(), plan.training().seed());
      long trainable = model.trainableParameters().stream().mapToLong(p -> p.getArray().size()).sum();
      say(String.format(Locale.ROOT, "LoRA r=%d alpha=%d on %d modules %s; base frozen, %d of %d parameters"
          + " trainable", plan.lora().r(), plan.lora().alpha(), adapted.size(), plan.lora().targetModules(),
          trainable, all + trainable));
    }
    if (plan.bf16()) {
      // DJL 0.36's PyTorch JNI has no bfloat16 tensors (creating one aborts the process), whatever the CPU offers.
      say("bf16 requested, but DJL's PyTorch engine has no bfloat16 tensors: training in fp32");
    }
  }

  private int train(SentenceModel model, Plan plan, Data data) throws IOException {
    Plan.Training t = plan.training();
    int evalBatch = Math.max(32, t.batchSize());
    Double before = spearman(model, data.validation(), evalBatch);
    Double testBefore = spearman(model, data.test(), evalBatch);
    if (before != null) {
      say("validation Spearman before training: " + format(before));
    }
    Trainer trainer = new Trainer(new Trainer.Settings(t.epochs(), t.batchSize(), t.learningRate(), t.warmupRatio(),
        t.gradientAccumulationSteps(), t.evalSteps(), t.seed()), new Progress(out, terminal, t.loggingSteps()));
    Objective objective = Objective.of(plan.recipe(), model, t.seed());
    Trainer.Result result = trainer.train(model, objective, data.train(), plan.recipe() == Recipe.PARAPHRASES,
        data.validation().isEmpty() ? null
            : step -> "step " + step + ": validation Spearman " + format(spearman(model, data.validation(), evalBatch)));
    Double after = spearman(model, data.validation(), evalBatch);
    Double testAfter = spearman(model, data.test(), evalBatch);

    Files.createDirectories(options.out());
    model.save(options.out());
    ObjectNode metrics = JSON.createObjectNode();
    putIfPresent(metrics, "spearmanBefore", before);
    putIfPresent(metrics, "spearmanAfter", after);
    putIfPresent(metrics, "spearmanTestBefore", testBefore);
    putIfPresent(metrics, "spearmanTestAfter", testAfter);
    metrics.put("trainSeconds", round(result.trainSeconds())).put("samplesPerSecond",
        round(result.samplesPerSecond())).put("steps", result.steps()).put("trainSamples", result.samples())
        .put("lossFirst", result.firstLoss()).put("lossLast", result.lastLoss()).put("recipe", plan.recipe().value())
        .put("model", plan.model().name()).put("lora", plan.lora().enabled())
        .put("threads", options.threads());
    JSON.writeValue(options.out().resolve("metrics.json").toFile(), metrics);

    if (before != null) {
      say("validation Spearman: " + format(before) + " -> " + format(after) + " ("
          + String.format(Locale.ROOT, "%+.4f", after - before) + ")");
    }
    if (testAfter != null) {
      say("test Spearman: " + format(testBefore) + " -> " + format(testAfter));
    }
    say(String.format(Locale.ROOT, "trained %d steps in %.1f s (%.1f samples/s), loss %.4f -> %.4f; model and"
        + " metrics.json in %s", result.steps(), result.trainSeconds(), result.samplesPerSecond(),
        result.firstLoss(), result.lastLoss(), options.out()));
    return 0;
  }

  private static Double spearman(SentenceModel model, List<Example> pairs, int batchSize) {
    return pairs.isEmpty() ? null : Evaluator.spearman(model, pairs, batchSize);
  }

  private static void putIfPresent(ObjectNode json, String field, Double value) {
    if (value != null) {
      json.put(field, round(value));
    }
  }

  private static double round(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }

  private static String format(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }
}
