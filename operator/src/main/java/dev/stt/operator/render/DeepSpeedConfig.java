package dev.stt.operator.render;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.stt.api.plan.Plan;

/**
 * {@code ds_config.json}, shaped like the upstream examples' file. Batch sizes stay "auto" so the trainer's arguments
 * decide them, and bf16 follows the spec because transformers rejects a config that disagrees with --bf16.
 */
public record DeepSpeedConfig(
    @JsonProperty("steps_per_print") int stepsPerPrint,
    @JsonProperty("train_batch_size") String trainBatchSize,
    @JsonProperty("train_micro_batch_size_per_gpu") String microBatchSize,
    @JsonProperty("gradient_accumulation_steps") String gradientAccumulationSteps,
    @JsonProperty("bf16") Enabled bf16,
    @JsonProperty("gradient_clipping") double gradientClipping,
    @JsonProperty("zero_optimization") Zero zeroOptimization) {

  public record Enabled(boolean enabled) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Zero(int stage,
      @JsonProperty("overlap_comm") boolean overlapComm,
      @JsonProperty("reduce_scatter") boolean reduceScatter,
      @JsonProperty("contiguous_gradients") boolean contiguousGradients,
      @JsonProperty("stage3_gather_16bit_weights_on_model_save") Boolean gatherWeightsOnSave) {}

  public static DeepSpeedConfig of(Plan plan) {
    // With ZeRO-3 each rank holds a shard: without gathering, saved checkpoints hold no usable model weights.
    Boolean gather = plan.zeroStage() == 3 ? Boolean.TRUE : null;
    return new DeepSpeedConfig(plan.training().loggingSteps(), "auto", "auto", "auto", new Enabled(plan.bf16()), 1.0,
        new Zero(plan.zeroStage(), false, false, false, gather));
  }
}
