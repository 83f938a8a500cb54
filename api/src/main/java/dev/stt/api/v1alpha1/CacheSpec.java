package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Hugging Face cache shared between runs; pre-filled, it lets runs work offline. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CacheSpec {
  @Required
  @Size(min = 1, max = 253)
  @Pattern(Names.DNS_SUBDOMAIN)
  @JsonPropertyDescription("PersistentVolumeClaim mounted at /cache and used as HF_HOME.")
  public String claimName;
}
