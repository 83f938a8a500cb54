package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelSpec {
  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Base model: a Hugging Face id (e.g. sentence-transformers/all-mpnet-base-v2,"
      + " intfloat/e5-mistral-7b-instruct) or an absolute path inside the pod on the cache volume (/cache/...) or the"
      + " output volume (/output/...).")
  public String name;

  @Size(min = 1, max = 128)
  @JsonPropertyDescription("Hugging Face revision (branch, tag or commit) of the model. Default: the hub's default"
      + " branch.")
  public String revision;

  @Min(8)
  @Max(32768)
  @JsonPropertyDescription("Maximum tokens per text. Default: the model's own max_seq_length (paraphrases: 128, as"
      + " upstream).")
  public Integer maxSeqLength;

  @JsonPropertyDescription("Architecture of the model, for models the operator does not recognise by name (e.g. a"
      + " path). Chooses the default LoRA targets and checks user-given ones.")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  public Architecture architecture;

  @Min(1)
  @Max(1.0e13)
  @JsonPropertyDescription("Parameter count of the model, for models the operator does not recognise by name. Enables"
      + " the HBM memory-fit check for them.")
  public Long parameters;
}
