package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Set;

/** Transformer architectures the operator knows the module names of. */
public enum Architecture {
  @JsonProperty("distilbert") DISTILBERT(List.of("q_lin", "k_lin", "v_lin"),
      Set.of("q_lin", "k_lin", "v_lin", "out_lin", "lin1", "lin2")),
  @JsonProperty("bert") BERT(List.of("query", "key", "value"), Set.of("query", "key", "value", "dense")),
  @JsonProperty("roberta") ROBERTA(List.of("query", "key", "value"), Set.of("query", "key", "value", "dense")),
  @JsonProperty("mpnet") MPNET(List.of("q", "k", "v"), Set.of("q", "k", "v", "o", "dense")),
  @JsonProperty("mistral") MISTRAL(List.of("q_proj", "k_proj", "v_proj"), Decoder.MODULES),
  @JsonProperty("llama") LLAMA(List.of("q_proj", "k_proj", "v_proj"), Decoder.MODULES),
  @JsonProperty("qwen2") QWEN2(List.of("q_proj", "k_proj", "v_proj"), Decoder.MODULES);

  private final List<String> defaultLoraTargets;
  private final Set<String> linearModules;

  Architecture(List<String> defaultLoraTargets, Set<String> linearModules) {
    this.defaultLoraTargets = defaultLoraTargets;
    this.linearModules = linearModules;
  }

  /** The attention projections LoRA adapts by default, as the upstream examples choose them. */
  public List<String> defaultLoraTargets() {
    return defaultLoraTargets;
  }

  /** Names of the linear modules peft can target in this architecture. */
  public Set<String> linearModules() {
    return linearModules;
  }

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  private static final class Decoder {
    static final Set<String> MODULES = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
        "down_proj");
  }
}
