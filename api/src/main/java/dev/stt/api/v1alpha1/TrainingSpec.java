package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Hyperparameters; absent fields take the upstream example's values. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingSpec {
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Training epochs. Default: 1.")
  public Integer epochs;

  @Min(1)
  @Max(65536)
  @JsonPropertyDescription("Per-device train batch size. Default: 16 (paraphrases: 128).")
  public Integer batchSize;

  @Min(value = 0, inclusive = false)
  @Max(1)
  @JsonPropertyDescription("Peak learning rate. Default: 5e-5 (upstream uses 1e-7 for e5-mistral-7b-instruct with"
      + " ZeRO-3).")
  public Double learningRate;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Fraction of steps for linear warmup. Default: 0.1.")
  public Double warmupRatio;

  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("Gradient accumulation steps. Default: 1.")
  public Integer gradientAccumulationSteps;

  @JsonPropertyDescription("Recompute activations in the backward pass to save HBM. Default: on with LoRA, else"
      + " off, as upstream.")
  public Boolean gradientCheckpointing;

  @JsonPropertyDescription("Use HPU graphs for training. Default: true, false with zeroStage 3 (as upstream);"
      + " true with zeroStage 3 is rejected.")
  public Boolean hpuGraphs;

  @JsonPropertyDescription("Gaudi lazy mode (sets PT_HPU_LAZY_MODE=1; the Gaudi stack now defaults to eager)."
      + " Default: true.")
  public Boolean lazyMode;

  @Min(1)
  @Max(Integer.MAX_VALUE)
  @JsonPropertyDescription("Evaluate every N steps. Default: 100 (paraphrases: 1000).")
  public Integer evalSteps;

  @Min(1)
  @JsonPropertyDescription("Save a checkpoint every N steps; a restarted run resumes from the latest. Default: 100"
      + " (paraphrases: 1000).")
  public Integer saveSteps;

  @Min(1)
  @Max(Integer.MAX_VALUE)
  @JsonPropertyDescription("Log loss and learning rate every N steps. Default: 100.")
  public Integer loggingSteps;

  @Min(0)
  @Max(4294967295L)
  @JsonPropertyDescription("Random seed. Default: 42.")
  public Long seed;

  @Min(1)
  @Max(Integer.MAX_VALUE)
  @JsonPropertyDescription("Use at most N training samples per dataset. Default: all (nli: 10000, as upstream).")
  public Integer maxTrainSamples;

  @Min(1)
  @Max(Integer.MAX_VALUE)
  @JsonPropertyDescription("Use at most N samples per evaluation dataset. Default: all.")
  public Integer maxEvalSamples;
}
