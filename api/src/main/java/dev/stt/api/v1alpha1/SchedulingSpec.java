package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Passed through to every worker pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulingSpec {
  @Size(max = 32)
  @JsonPropertyDescription("Node labels the workers must match, e.g. habana.ai/device.type: gaudi2.")
  public Map<String, String> nodeSelector;

  @Size(max = 32)
  @JsonPropertyDescription("Tolerations of the workers, e.g. for tainted Gaudi nodes.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity of the workers.")
  public Affinity affinity;

  @Size(max = 253)
  @JsonPropertyDescription("PriorityClass of the workers.")
  public String priorityClassName;

  @Size(max = 253)
  @JsonPropertyDescription("Scheduler of the workers, e.g. a gang scheduler. Default: the cluster's.")
  public String schedulerName;

  @Size(max = 63)
  @Pattern(Names.DNS_LABEL)
  @JsonPropertyDescription("Kueue LocalQueue: the workers get Kueue's plain-pod group labels and are admitted as one"
      + " gang.")
  public String queueName;
}
