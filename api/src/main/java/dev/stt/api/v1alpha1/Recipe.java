package dev.stt.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The three optimum-habana sentence-transformers-training examples. */
public enum Recipe {
  /** training_stsbenchmark.py: CosineSimilarityLoss on STS-B. */
  @JsonProperty("sts") STS,
  /** training_nli.py: SoftmaxLoss over 3 NLI labels. */
  @JsonProperty("nli") NLI,
  /** training_paraphrases.py: MultipleNegativesRankingLoss over a dictionary of paraphrase datasets. */
  @JsonProperty("paraphrases") PARAPHRASES;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
