package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlanStatus {
  @JsonPropertyDescription("workers x cards, e.g. 2x8.")
  public String topology;

  @JsonPropertyDescription("Total ranks: workers x cards.")
  public Integer worldSize;

  @JsonPropertyDescription("How each worker starts its ranks: python, deepspeed or torch.distributed.run.")
  public String launcher;

  @JsonPropertyDescription("LoRA target modules after resolution.")
  public List<String> loraTargetModules;

  @JsonPropertyDescription("Whether gradient checkpointing is on.")
  public Boolean gradientCheckpointing;

  @JsonPropertyDescription("Whether HPU graphs are used for training.")
  public Boolean hpuGraphs;

  @JsonPropertyDescription("Estimated peak HBM per card, GiB.")
  public Double estimatedHbmGiBPerCard;

  @JsonPropertyDescription("Whether the estimate fits the card's HBM; absent when the model is unknown.")
  public Boolean fits;
}
