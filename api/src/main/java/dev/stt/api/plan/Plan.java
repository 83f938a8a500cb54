package dev.stt.api.plan;

import dev.stt.api.v1alpha1.Architecture;
import dev.stt.api.v1alpha1.PullPolicy;
import dev.stt.api.v1alpha1.Recipe;
import dev.stt.api.v1alpha1.RunPolicy.CleanPodPolicy;
import java.util.List;
import java.util.Map;

/** A SentenceTransformerTraining with every default applied: what the operator renders and the trainer runs. */
public record Plan(
    Recipe recipe,
    Model model,
    boolean bf16,
    Lora lora,
    int zeroStage,
    Topology topology,
    Resources resources,
    Training training,
    List<Dataset> datasets,
    String evalName,
    String gaudiConfigName,
    Memory memory,
    Policy policy,
    PullPolicy imagePullPolicy) {

  public record Model(String name, String revision, Integer maxSeqLength, Architecture architecture) {}

  public record Lora(boolean enabled, int r, int alpha, double dropout, List<String> targetModules) {}

  /** workers x cards, and how each worker launches its ranks. */
  public record Topology(int workers, int cards, String launcher) {
    public int worldSize() {
      return workers * cards;
    }

    @Override
    public String toString() {
      return workers + "x" + cards;
    }
  }

  public record Resources(String hpuResourceName, String cpu, String memory, String hugepages2Mi,
      String sharedMemory, boolean hostIPC, int hbmGiB) {}

  public record Training(int epochs, int batchSize, double learningRate, double warmupRatio,
      int gradientAccumulationSteps, boolean gradientCheckpointing, boolean hpuGraphs, boolean lazyMode,
      int evalSteps, int saveSteps, int loggingSteps, long seed) {}

  /** A dataset for one split; exactly one of name and path is set. */
  public record Dataset(String split, String name, String path, String subset, String sourceSplit,
      Map<String, String> columns, double weight, Integer maxSamples) {}

  /** Estimated peak HBM per card; {@code fits} is null when the model's size is unknown. */
  public record Memory(Double estimatedGiBPerCard, Boolean fits, String explanation) {}

  public record Policy(int backoffLimit, Long activeDeadlineSeconds, Long ttlSecondsAfterFinished,
      CleanPodPolicy cleanPodPolicy, boolean suspend) {}
}
