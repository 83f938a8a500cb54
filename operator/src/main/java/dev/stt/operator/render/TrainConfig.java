package dev.stt.operator.render;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import java.util.List;
import java.util.Map;

/**
 * {@code train.json}: the whole contract between the operator and the bundled trainer, every default resolved. Its
 * shape is documented in {@code trainer-image/train-config.schema.json}; bump {@link #VERSION} on breaking changes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainConfig(
    int version,
    String name,
    String namespace,
    String runId,
    String recipe,
    Model model,
    boolean bf16,
    Lora lora,
    DeepSpeed deepspeed,
    Training training,
    List<Dataset> datasets,
    Evaluation evaluation,
    String gaudiConfigName,
    Distributed distributed,
    Output output,
    String cacheDir,
    Progress progress) {

  public static final int VERSION = 1;
  public static final String MOUNT_DIR = "/etc/stt";
  public static final String FILE = "train.json";
  public static final String DEEPSPEED_FILE = "ds_config.json";
  public static final int MASTER_PORT = 29500;
  public static final int PROGRESS_PORT = 8080;
  public static final String PROGRESS_PATH = "/progress";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Model(String name, String revision, Integer maxSeqLength, String architecture) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Lora(boolean enabled, Integer r, Integer alpha, Double dropout, List<String> targetModules) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DeepSpeed(int zeroStage, String config) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Training(int epochs, int batchSize, double learningRate, double warmupRatio,
      int gradientAccumulationSteps, boolean gradientCheckpointing, boolean hpuGraphs, boolean lazyMode,
      int evalSteps, int saveSteps, int loggingSteps, long seed) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Dataset(String split, String name, String path, String subset, String sourceSplit,
      Map<String, String> columns, double weight, Integer maxSamples) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Evaluation(String name) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Distributed(int workers, int cardsPerWorker, int worldSize, String launcher, int masterPort) {}

  /** {@code dir} holds checkpoint-N/ (resumed from after a restart), final/, merged/ and metrics.json. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Output(String dir, String finalDir, String mergedDir, String metricsFile) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Progress(int port, String path) {}

  public static TrainConfig of(SentenceTransformerTraining training, Plan plan) {
    var meta = training.getMetadata();
    var t = plan.training();
    String outputDir = outputDir(training);
    return new TrainConfig(VERSION, meta.getName(), meta.getNamespace(), meta.getUid(), plan.recipe().value(),
        new Model(plan.model().name(), plan.model().revision(), plan.model().maxSeqLength(),
            plan.model().architecture() == null ? null : plan.model().architecture().value()),
        plan.bf16(),
        plan.lora().enabled()
            ? new Lora(true, plan.lora().r(), plan.lora().alpha(), plan.lora().dropout(), plan.lora().targetModules())
            : new Lora(false, null, null, null, null),
        plan.zeroStage() > 0 ? new DeepSpeed(plan.zeroStage(), MOUNT_DIR + "/" + DEEPSPEED_FILE) : null,
        new Training(t.epochs(), t.batchSize(), t.learningRate(), t.warmupRatio(), t.gradientAccumulationSteps(),
            t.gradientCheckpointing(), t.hpuGraphs(), t.lazyMode(), t.evalSteps(), t.saveSteps(), t.loggingSteps(),
            t.seed()),
        plan.datasets().stream().map(d -> new Dataset(d.split(), d.name(), d.path(), d.subset(), d.sourceSplit(),
            d.columns(), d.weight(), d.maxSamples())).toList(),
        new Evaluation(plan.evalName()),
        plan.gaudiConfigName(),
        new Distributed(plan.topology().workers(), plan.topology().cards(), plan.topology().worldSize(),
            plan.topology().launcher(), MASTER_PORT),
        new Output(outputDir, outputDir + "/final", outputDir + "/merged", outputDir + "/metrics.json"),
        training.getSpec().cache == null ? null : WorkerPod.CACHE_MOUNT,
        new Progress(PROGRESS_PORT, PROGRESS_PATH));
  }

  /** The run's directory inside the output claim: spec.output.path, or the resource's name. */
  public static String outputPath(SentenceTransformerTraining training) {
    String path = training.getSpec().output.path;
    return path == null ? training.getMetadata().getName() : path;
  }

  static String outputDir(SentenceTransformerTraining training) {
    return WorkerPod.OUTPUT_MOUNT + "/" + outputPath(training);
  }
}
