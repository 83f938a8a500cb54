package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

/** Passed through to every worker pod. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchedulingSpec {
  @Size(max = 32)
  @ValidationRule(value = "self.all(k, k.matches('" + Names.LABEL_KEY + "') && self[k].matches('" + Names.LABEL_VALUE
      + "'))", message = "nodeSelector keys must be label keys ([prefix/]name) and values label values (at most 63"
      + " letters, digits, '-', '_' or '.')")
  @JsonPropertyDescription("Node labels the workers must match, e.g. habana.ai/device.type: gaudi2.")
  public Map<String, String> nodeSelector;

  @Size(max = 32)
  @ValidationRule(value = "self.all(t, (!has(t.operator) || t.operator in ['Exists', 'Equal'])"
      + " && (!has(t.effect) || t.effect in ['NoSchedule', 'PreferNoSchedule', 'NoExecute']))",
      message = "toleration operator must be Exists or Equal, and effect NoSchedule, PreferNoSchedule or NoExecute")
  @JsonPropertyDescription("Tolerations of the workers, e.g. for tainted Gaudi nodes.")
  public List<Toleration> tolerations;

  @JsonPropertyDescription("Affinity of the workers.")
  public Affinity affinity;

  @Size(max = 253)
  @Pattern(Names.DNS_SUBDOMAIN)
  @JsonPropertyDescription("PriorityClass of the workers.")
  public String priorityClassName;

  @Size(max = 253)
  @Pattern(Names.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Scheduler of the workers, e.g. a gang scheduler. Default: the cluster's.")
  public String schedulerName;

  @Size(max = 63)
  @Pattern(Names.DNS_LABEL)
  @JsonPropertyDescription("Kueue LocalQueue: the workers get Kueue's plain-pod group labels and are admitted as one"
      + " gang.")
  public String queueName;
}
