package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.enabled) && self.enabled) || (!has(self.r) && !has(self.alpha) && !has(self.dropout)"
    + " && !has(self.targetModules))",
    message = "lora.r, lora.alpha, lora.dropout and lora.targetModules only apply when lora.enabled is true:"
        + " set lora.enabled: true, or remove them",
    fieldPath = ".enabled")
public class LoraSpec {
  @JsonPropertyDescription("Train LoRA adapters instead of all weights (peft). Gradient checkpointing is then on by"
      + " default, as upstream. Default: false.")
  public Boolean enabled;

  @Min(1)
  @Max(1024)
  @JsonPropertyDescription("LoRA rank. Default: 16.")
  public Integer r;

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription("LoRA alpha (scaling = alpha / r). Default: 64.")
  public Integer alpha;

  @Min(0)
  @Max(value = 1, inclusive = false)
  @JsonPropertyDescription("Dropout on the LoRA path, in [0, 1). Default: 0.05.")
  public Double dropout;

  @Size(max = 16)
  @ValidationRule(value = "self.all(t, t.matches('^[A-Za-z0-9_.]{1,64}$'))",
      message = "each lora.targetModules entry must be a module name of 1-64 letters, digits, '_' or '.'")
  @JsonPropertyDescription("Module names to adapt. Empty: chosen from the architecture: q_lin,k_lin,v_lin"
      + " (DistilBERT); query,key,value (BERT, MiniLM, RoBERTa); q,k,v (MPNet); q_proj,k_proj,v_proj (Mistral, Llama,"
      + " Qwen).")
  public List<String> targetModules;
}
