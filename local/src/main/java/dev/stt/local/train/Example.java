package dev.stt.local.train;

import java.util.List;

/**
 * One row in the recipe's column order: sts and evaluation (sentence1, sentence2; label = score in 0..1), nli
 * (premise, hypothesis; label = 0 entailment, 1 neutral, 2 contradiction), paraphrases (anchor, positive[, negative]).
 */
public record Example(List<String> texts, float label) {}
