package dev.stt.local.train;

import dev.stt.local.model.SentenceModel;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** EmbeddingSimilarityEvaluator's main metric: Spearman correlation of cosine similarity with the gold scores. */
public final class Evaluator {
  private Evaluator() {}

  public static double spearman(SentenceModel model, List<Example> pairs, int batchSize) {
    float[][] first = model.encode(pairs.stream().map(e -> e.texts().get(0)).toList(), batchSize);
    float[][] second = model.encode(pairs.stream().map(e -> e.texts().get(1)).toList(), batchSize);
    double[] cosine = new double[pairs.size()];
    double[] gold = new double[pairs.size()];
    for (int i = 0; i < cosine.length; i++) {
      cosine[i] = cosine(first[i], second[i]);
      gold[i] = pairs.get(i).label();
    }
    return spearman(cosine, gold);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-12);
  }

  /** Pearson correlation of the ranks, ties sharing their mean rank (as scipy.stats.spearmanr). */
  static double spearman(double[] x, double[] y) {
    return pearson(ranks(x), ranks(y));
  }

  private static double[] ranks(double[] values) {
    Integer[] order = IntStream.range(0, values.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
    double[] ranks = new double[values.length];
    for (int start = 0; start < order.length; ) {
      int end = start;
      while (end + 1 < order.length && values[order[end + 1]] == values[order[start]]) {
        end++;
      }
      double rank = (start + end) / 2.0 + 1;
      for (int k = start; k <= end; k++) {
        ranks[order[k]] = rank;
      }
      start = end + 1;
    }
    return ranks;
  }

  private static double pearson(double[] x, double[] y) {
    double mx = Arrays.stream(x).average().orElse(0);
    double my = Arrays.stream(y).average().orElse(0);
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }
}
