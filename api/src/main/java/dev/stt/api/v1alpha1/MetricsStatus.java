package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MetricsStatus {
  @JsonPropertyDescription("Latest training loss.")
  public Double loss;

  @JsonPropertyDescription("Evaluator name, e.g. sts-dev (Spearman correlation of cosine similarity).")
  public String evalName;

  @JsonPropertyDescription("Latest value of the evaluator.")
  public Double evalValue;

  @JsonPropertyDescription("One line for kubectl get, e.g. sts-dev=0.8648.")
  public String summary;
}
