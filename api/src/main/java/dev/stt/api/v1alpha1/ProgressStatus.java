package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProgressStatus {
  @JsonPropertyDescription("Optimizer steps done.")
  public Long step;

  @JsonPropertyDescription("Optimizer steps in the run.")
  public Long totalSteps;

  @JsonPropertyDescription("Current epoch, fractional.")
  public Double epoch;

  @JsonPropertyDescription("Percent of steps done.")
  public Integer percent;

  @JsonPropertyDescription("Estimated seconds to the end of training.")
  public Long etaSeconds;

  @JsonPropertyDescription("One line for kubectl get, e.g. 120/1000 (12%).")
  public String summary;
}
