package dev.stt.local.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import dev.stt.api.v1alpha1.Recipe;
import dev.stt.local.model.SentenceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The recipes' losses, as sentence-transformers defines them. */
public abstract sealed class Objective {
  protected final SentenceModel model;

  private Objective(SentenceModel model) {
    this.model = model;
  }

  public static Objective of(Recipe recipe, SentenceModel model, long seed) {
    return switch (recipe) {
      case STS -> new CosineSimilarity(model);
      case NLI -> new Softmax(model, 3, seed);
      case PARAPHRASES -> new MultipleNegativesRanking(model, 20);
    };
  }

  /** The batch's mean loss, computed in (and owned by) the step's manager. */
  public abstract NDArray loss(NDManager step, List<Example> batch);

  /** Parameters of the loss itself (the NLI classifier), trained beside the model's. */
  public List<Parameter> parameters() {
    return List.of();
  }

  /** Whether an incomplete last batch is dropped, as upstream's nli script does. */
  public boolean dropLast() {
    return false;
  }

  /** Whether a batch must not repeat a text, as in-batch negatives need (upstream's NO_DUPLICATES sampler). */
  public boolean noDuplicates() {
    return false;
  }

  /** The embeddings of each text column: one forward pass over all texts, split by column. */
  protected List<NDArray> embedColumns(NDManager step, List<Example> batch, int columns) {
    List<String> texts = new ArrayList<>();
    for (int c = 0; c < columns; c++) {
      for (Example e : batch) {
        texts.add(e.texts().get(c));
      }
    }
    NDArray all = model.embed(step, texts, true);
    List<NDArray> split = new ArrayList<>();
    int n = batch.size();
    for (int c = 0; c < columns; c++) {
      split.add(all.get(new NDIndex((c * n) + ":" + ((c + 1) * n))));
    }
    return split;
  }

  static NDArray unit(NDArray x) {
    return x.div(x.norm(2, new int[] {-1}, true).maximum(1e-8f));
  }

  static NDArray labels(NDManager step, List<Example> batch) {
    float[] labels = new float[batch.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = batch.get(i).label();
    }
    return step.create(labels);
  }

  /** Cross entropy of logits [n, classes] against the class of each row. */
  static NDArray crossEntropy(NDManager step, NDArray logits, int[] classes) {
    int width = Math.toIntExact(logits.getShape().get(1));
    float[] oneHot = new float[classes.length * width];
    for (int i = 0; i < classes.length; i++) {
      oneHot[i * width + classes[i]] = 1;
    }
    NDArray target = step.create(oneHot, new Shape(classes.length, width));
    return logits.logSoftmax(-1).mul(target).sum(new int[] {-1}).mean().neg();
  }

  /** CosineSimilarityLoss: mean squared error between cos(u, v) and the gold score. */
  static final class CosineSimilarity extends Objective {
    CosineSimilarity(SentenceModel model) {
      super(model);
    }

    @Override
    public NDArray loss(NDManager step, List<Example> batch) {
      List<NDArray> uv = embedColumns(step, batch, 2);
      NDArray cosine = unit(uv.get(0)).mul(unit(uv.get(1))).sum(new int[] {-1});
      return cosine.sub(labels(step, batch)).square().mean();
    }
  }

  /** SoftmaxLoss: a linear classifier over (u, v, |u - v|), cross entropy over the labels. */
  static final class Softmax extends Objective {
    private final Parameter weight;
    private final Parameter bias;

    Softmax(SentenceModel model, int labels, long seed) {
      super(model);
      int in = 3 * model.dimension();
      // nn.Linear's default initialisation: uniform(-1/sqrt(in), 1/sqrt(in)).
      Random random = new Random(seed);
      float bound = (float) (1 / Math.sqrt(in));
      float[] w = new float[labels * in];
      for (int i = 0; i < w.length; i++) {
        w[i] = (random.nextFloat() * 2 - 1) * bound;
      }
      NDManager manager = model.manager();
      weight = Parameter.builder().setName("classifier.weight").setType(Parameter.Type.WEIGHT)
          .optArray(manager.create(w, new Shape(labels, in))).build();
      bias = Parameter.builder().setName("classifier.bias").setType(Parameter.Type.BIAS)
          .optArray(manager.zeros(new Shape(labels))).build();
      for (Parameter p : parameters()) {
        p.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32);
      }
    }

    @Override
    public List<Parameter> parameters() {
      return List.of(weight, bias);
    }

    @Override
    public boolean dropLast() {
      return true;
    }

    @Override
    public NDArray loss(NDManager step, List<Example> batch) {
      List<NDArray> uv = embedColumns(step, batch, 2);
      NDArray features = NDArrays.concat(new NDList(uv.get(0), uv.get(1), uv.get(0).sub(uv.get(1)).abs()), -1);
      NDArray logits = Linear.linear(features, weight.getArray(), bias.getArray()).head();
      int[] classes = batch.stream().mapToInt(e -> (int) e.label()).toArray();
      return crossEntropy(step, logits, classes);
    }
  }

  /**
   * MultipleNegativesRankingLoss: each anchor's positive against every other positive (and negative) in the batch,
   * cross entropy over scaled cosine similarities.
   */
  static final class MultipleNegativesRanking extends Objective {
    private final float scale;

    MultipleNegativesRanking(SentenceModel model, float scale) {
      super(model);
      this.scale = scale;
    }

    @Override
    public boolean noDuplicates() {
      return true;
    }

    @Override
    public NDArray loss(NDManager step, List<Example> batch) {
      boolean negatives = batch.stream().allMatch(e -> e.texts().size() > 2);
      List<NDArray> columns = embedColumns(step, batch, negatives ? 3 : 2);
      NDArray candidates = unit(NDArrays.concat(new NDList(columns.subList(1, columns.size())), 0));
      NDArray scores = unit(columns.get(0)).matMul(candidates.transpose()).mul(scale);
      int[] classes = java.util.stream.IntStream.range(0, batch.size()).toArray();
      return crossEntropy(step, scores, classes);
    }
  }
}
