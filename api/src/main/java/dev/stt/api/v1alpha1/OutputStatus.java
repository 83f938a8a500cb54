package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputStatus {
  @JsonPropertyDescription("Claim holding the results.")
  public String claimName;

  @JsonPropertyDescription("Directory of the run inside the claim; the trained model is in final/.")
  public String path;
}
