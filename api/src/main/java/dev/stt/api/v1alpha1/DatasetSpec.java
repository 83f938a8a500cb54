package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** A dataset that replaces the recipe's default for its split. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.name) != has(self.path)",
    message = "a dataset needs exactly one of name (a Hugging Face dataset id) or path (a JSONL or CSV file on a"
        + " volume)")
@ValidationRule(value = "!has(self.path) || self.path.startsWith('/cache/') || self.path.startsWith('/output/')",
    message = "dataset path must be a file under /cache/ (spec.cache) or /output/ (spec.output)", fieldPath = ".path")
@ValidationRule(value = "!has(self.path) || !has(self.subset)",
    message = "subset only applies to Hugging Face datasets (name), not to files (path)", fieldPath = ".subset")
public class DatasetSpec {
  @Size(min = 1, max = 200)
  @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
  @JsonPropertyDescription("Hugging Face dataset id, e.g. sentence-transformers/stsb.")
  public String name;

  @Size(min = 2, max = 1024)
  @JsonPropertyDescription("JSONL or CSV file inside the pod, under /cache/ or /output/.")
  public String path;

  @Size(min = 1, max = 128)
  @JsonPropertyDescription("Dataset configuration (subset), e.g. pair-class for sentence-transformers/all-nli.")
  public String subset;

  @Required
  @JsonPropertyDescription("What the data is for: train, validation (evaluated during training) or test (evaluated"
      + " at the end).")
  @JsonFormat(with = JsonFormat.Feature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
  public Split split;

  @Size(min = 1, max = 64)
  @JsonPropertyDescription("Split to read from the source dataset, when it is named differently (e.g. dev)."
      + " Default: the value of split.")
  public String sourceSplit;

  @Size(max = 8)
  @JsonPropertyDescription("Maps the recipe's columns to this dataset's columns, e.g. {sentence1: question}. sts:"
      + " sentence1, sentence2, score; nli: premise, hypothesis, label; paraphrases: anchor, positive (and optionally"
      + " negative).")
  public Map<String, String> columns;

  @Min(0)
  @JsonPropertyDescription("Weight of this training dataset: 0 leaves it out. Other values are accepted, but today's"
      + " round-robin sampler draws from every dataset equally. Default: 1.")
  public Double weight;

  public enum Split {
    @com.fasterxml.jackson.annotation.JsonProperty("train") TRAIN,
    @com.fasterxml.jackson.annotation.JsonProperty("validation") VALIDATION,
    @com.fasterxml.jackson.annotation.JsonProperty("test") TEST;

    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
