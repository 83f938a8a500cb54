package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How failures, time and the end of the run are handled. Editable while the run goes on. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunPolicy {
  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Gang restarts (all workers recreated, resuming from the latest checkpoint) before the run"
      + " fails with BackoffLimitExceeded. Default: 3.")
  public Integer backoffLimit;

  @Min(1)
  @Max(Integer.MAX_VALUE)
  @JsonPropertyDescription("Fail the run with DeadlineExceeded this many seconds after it started. Default: none.")
  public Long activeDeadlineSeconds;

  @Min(0)
  @Max(Integer.MAX_VALUE)
  @JsonPropertyDescription("Delete this resource (not its volumes) this many seconds after the run ended. Default:"
      + " keep it.")
  public Long ttlSecondsAfterFinished;

  @JsonPropertyDescription("Pods to delete when the run ends: None, Running (those still running; finished pods keep"
      + " their logs) or All. Default: Running.")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  public CleanPodPolicy cleanPodPolicy;

  @JsonPropertyDescription("Delete the workers and hold the run; set back to false to recreate them (training resumes"
      + " from the latest checkpoint). Default: false.")
  public Boolean suspend;

  public enum CleanPodPolicy {
    @JsonProperty("None") NONE,
    @JsonProperty("Running") RUNNING,
    @JsonProperty("All") ALL
  }
}
