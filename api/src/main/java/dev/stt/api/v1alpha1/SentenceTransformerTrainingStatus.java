package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SentenceTransformerTrainingStatus {
  @JsonPropertyDescription("Pending, Running, Restarting, Succeeded, Failed or Suspended.")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  public Phase phase;

  @JsonPropertyDescription("Valid, Created, Running, Succeeded, Failed and Suspended.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The spec generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("When the first workers were created (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the run succeeded or failed (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription("Gang restarts so far.")
  public Integer restarts;

  @JsonPropertyDescription("Worker pods of the current attempt by state.")
  public WorkersStatus workers;

  @JsonPropertyDescription("The resolved run: world size, launcher, LoRA targets and the HBM estimate.")
  public PlanStatus plan;

  @JsonPropertyDescription("Training progress reported by worker 0.")
  public ProgressStatus progress;

  @JsonPropertyDescription("Latest training loss and evaluation metric.")
  public MetricsStatus metrics;

  @JsonPropertyDescription("Where the results are.")
  public OutputStatus output;

  @JsonPropertyDescription("Human-readable summary of the current state and what to do next.")
  public String message;
}
