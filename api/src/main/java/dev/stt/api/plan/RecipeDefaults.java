package dev.stt.api.plan;

import dev.stt.api.v1alpha1.Recipe;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The upstream optimum-habana examples' choices per recipe. */
public record RecipeDefaults(
    int batchSize,
    int evalSteps,
    int saveSteps,
    Integer maxSeqLength,
    Integer maxTrainSamples,
    String gaudiConfigName,
    int textsPerExample,
    Set<String> trainColumns,
    List<Plan.Dataset> datasets) {

  /** Evaluation data of every recipe: STS-B pairs scored 0..1 (EmbeddingSimilarityEvaluator). */
  public static final Set<String> EVAL_COLUMNS = Set.of("sentence1", "sentence2", "score");
  public static final String EVAL_NAME = "sts-dev";

  private static final List<Plan.Dataset> STSB_EVAL = List.of(
      hub("validation", "sentence-transformers/stsb", null),
      hub("test", "sentence-transformers/stsb", null));

  public static RecipeDefaults of(Recipe recipe) {
    return switch (recipe) {
      case STS -> new RecipeDefaults(16, 100, 100, null, null, "Habana/distilbert-base-uncased", 2,
          EVAL_COLUMNS, concat(List.of(hub("train", "sentence-transformers/stsb", null)), STSB_EVAL));
      case NLI -> new RecipeDefaults(16, 100, 100, null, 10_000, "Habana/bert-base-uncased", 2,
          Set.of("premise", "hypothesis", "label"),
          concat(List.of(hub("train", "sentence-transformers/all-nli", "pair-class")), STSB_EVAL));
      case PARAPHRASES -> new RecipeDefaults(128, 1000, 1000, 128, null, "Habana/distilbert-base-uncased", 3,
          Set.of("anchor", "positive", "negative"), concat(List.of(
              hub("train", "sentence-transformers/all-nli", "triplet"),
              hub("train", "sentence-transformers/sentence-compression", null),
              hub("train", "sentence-transformers/simple-wiki", null),
              hub("train", "sentence-transformers/altlex", null),
              hub("train", "sentence-transformers/quora-duplicates", "triplet"),
              hub("train", "sentence-transformers/coco-captions", null),
              hub("train", "sentence-transformers/flickr30k-captions", null),
              hub("train", "sentence-transformers/yahoo-answers", "title-question-answer-pair"),
              hub("train", "sentence-transformers/stackexchange-duplicates", "title-title-pair")), STSB_EVAL));
    };
  }

  /** Columns a dataset of this split may map. */
  public Set<String> columnsFor(String split) {
    return "train".equals(split) ? trainColumns : EVAL_COLUMNS;
  }

  private static Plan.Dataset hub(String split, String name, String subset) {
    return new Plan.Dataset(split, name, null, subset, split, Map.of(), 1.0, null);
  }

  private static List<Plan.Dataset> concat(List<Plan.Dataset> a, List<Plan.Dataset> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
