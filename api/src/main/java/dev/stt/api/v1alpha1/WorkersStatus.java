package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonIgnoreProperties(ignoreUnknown = true)
public class WorkersStatus {
  @JsonPropertyDescription("Workers not yet finished.")
  public int active;

  @JsonPropertyDescription("Workers running.")
  public int ready;

  @JsonPropertyDescription("Workers that exited 0.")
  public int succeeded;

  @JsonPropertyDescription("Workers that failed.")
  public int failed;

  public WorkersStatus() {}

  public WorkersStatus(int active, int ready, int succeeded, int failed) {
    this.active = active;
    this.ready = ready;
    this.succeeded = succeeded;
    this.failed = failed;
  }
}
