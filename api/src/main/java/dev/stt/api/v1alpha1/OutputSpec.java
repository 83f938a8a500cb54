package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where checkpoints, the final model, merged LoRA weights and metrics go. The operator never deletes it. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputSpec {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Names.DNS_SUBDOMAIN)
  @JsonPropertyDescription("PersistentVolumeClaim mounted at /output (ReadWriteMany for several workers).")
  public String claimName;

  @Size(min = 1, max = 512)
  @Pattern("^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")
  @JsonPropertyDescription("Directory inside the claim, relative and without '..'. Default: the resource's name.")
  public String path;
}
