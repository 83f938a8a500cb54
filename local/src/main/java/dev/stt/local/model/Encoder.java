package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A BERT-family encoder as a DJL block: embeddings (word, position, token type for BERT) with a norm, then post-norm
 * transformer layers. Its output is the token embeddings [batch, tokens, hidden] that the pooling reduces.
 */
public final class Encoder extends HfBlock {
  /** What masked attention adds for padding: far below any score, yet finite so that softmax stays defined. */
  private static final float MASKED = -1e9f;
  /** MPNet's relative position buckets reach this far (transformers' relative_position_bucket default). */
  private static final int MAX_DISTANCE = 128;

  private final EncoderConfig config;
  private final Table words;
  private final Table positions;
  private final Table types;
  private final Norm embeddingNorm;
  private final List<EncoderLayer> layers = new ArrayList<>();
  private final Table relativeBias;

  public Encoder(EncoderConfig config, Weights weights) {
    if (config.hidden() % config.heads() != 0) {
      throw new ModelException("config.json: hidden size " + config.hidden() + " is not a multiple of the "
          + config.heads() + " attention heads");
    }
    this.config = config;
    int h = config.hidden();
    words = addChildBlock("words", new Table("embeddings.word_embeddings", config.vocabSize(), h, weights));
    positions = addChildBlock("positions", new Table("embeddings.position_embeddings", config.maxPositions(), h,
        weights));
    types = config.typeVocabSize() > 0 ? addChildBlock("types", new Table("embeddings.token_type_embeddings",
        config.typeVocabSize(), h, weights)) : null;
    embeddingNorm = addChildBlock("embeddingNorm", new Norm(config.layout().embeddingNorm(), h,
        config.layerNormEps(), weights));
    for (int i = 0; i < config.layers(); i++) {
      layers.add(addChildBlock("layer" + i, new EncoderLayer(config, i, weights)));
    }
    relativeBias = config.relativeBuckets() > 0 ? addChildBlock("relativeBias", new Table(
        "encoder.relative_attention_bias", config.relativeBuckets(), config.heads(), weights)) : null;
  }

  /** The id that pads token sequences; padding is masked, so its embedding never reaches an output. */
  public int padTokenId() {
    return config.padTokenId();
  }

  /** Marks the parameters for gradients; call once before training. */
  public void initialize(NDManager manager) {
    initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1));
  }

  /** Every base parameter under its Hugging Face name, in checkpoint order. */
  public Map<String, Parameter> hfParameters() {
    Map<String, Parameter> map = new LinkedHashMap<>();
    hfParameters(map);
    return Collections.unmodifiableMap(map);
  }

  @Override
  void hfParameters(Map<String, Parameter> into) {
    for (var child : children.values()) {
      ((HfBlock) child).hfParameters(into);
    }
  }

  public List<Dense> denses() {
    return layers.stream().flatMap(l -> l.denses().stream()).toList();
  }

  /**
   * Freezes every base weight and adds LoRA adapters to the linear modules named in {@code targets} (matched on the
   * module name's last part, as peft does). Returns the adapted modules' names.
   */
  public List<String> addLora(NDManager manager, Set<String> targets, int r, int alpha, float dropout, long seed) {
    hfParameters().values().forEach(p -> p.freeze(true));
    Random random = new Random(seed);
    List<Dense> adapted = denses().stream().filter(d -> targets.contains(d.moduleName())).toList();
    if (adapted.isEmpty()) {
      throw new ModelException("lora.targetModules " + targets + " match no linear module of this "
          + config.layout().modelType() + " model; its modules are " + denses().stream().map(Dense::moduleName)
          .distinct().toList());
    }
    adapted.forEach(d -> d.addAdapter(manager, r, alpha, dropout, random));
    return adapted.stream().map(Dense::hfName).toList();
  }

  /** LoRA adapter parameters under peft's names; empty without LoRA. */
  public Map<String, Parameter> adapterParameters() {
    Map<String, Parameter> map = new LinkedHashMap<>();
    denses().forEach(d -> d.adapterParameters(map));
    return map;
  }

  /** The input arrays of a batch, created in the step's manager so that everything computed from them joins it. */
  NDList inputs(NDManager step, Tokens tokens) {
    Shape shape = new Shape(tokens.batch(), tokens.length());
    long[] positionIds = new long[tokens.ids().length];
    float[] maskBias = new float[tokens.ids().length];
    int padding = config.padTokenId();
    for (int b = 0; b < tokens.batch(); b++) {
      int position = 0;
      for (int t = 0; t < tokens.length(); t++) {
        int i = b * tokens.length() + t;
        boolean token = tokens.mask()[i] != 0;
        // RoBERTa and MPNet count positions from padding id + 1 and give padding the padding id.
        positionIds[i] = config.layout().positionsFromPadding() ? (token ? padding + 1 + position : padding) : t;
        position += token ? 1 : 0;
        maskBias[i] = token ? 0 : MASKED;
      }
    }
    NDList inputs = new NDList(step.create(tokens.ids(), shape), step.create(positionIds, shape),
        step.create(maskBias, new Shape(tokens.batch(), 1, 1, tokens.length())));
    if (types != null) {
      inputs.add(step.create(tokens.typeIds(), shape));
    }
    return inputs;
  }

  /** Inputs as {@link #inputs} makes them; returns the token embeddings [batch, tokens, hidden]. */
  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDArray ids = inputs.get(0);
    NDArray x = words.apply(store, ids, training).add(positions.apply(store, inputs.get(1), training));
    if (types != null) {
      x = x.add(types.apply(store, inputs.get(3), training));
    }
    x = dropout(embeddingNorm.apply(store, x, training), config.hiddenDropout(), training);
    NDArray positionBias = relativeBias == null ? null : positionBias(store, ids, training);
    for (EncoderLayer layer : layers) {
      x = layer.apply(store, x, inputs.get(2), positionBias, training);
    }
    return new NDList(x);
  }

  /** MPNet's bias per head for each (query, key) distance, [1, heads, tokens, tokens]. */
  private NDArray positionBias(ParameterStore store, NDArray ids, boolean training) {
    int tokens = Math.toIntExact(ids.getShape().get(1));
    long[] buckets = new long[tokens * tokens];
    for (int q = 0; q < tokens; q++) {
      for (int k = 0; k < tokens; k++) {
        buckets[q * tokens + k] = relativeBucket(k - q, config.relativeBuckets());
      }
    }
    NDArray bucketIds = ids.getManager().create(buckets, new Shape(tokens, tokens));
    return relativeBias.apply(store, bucketIds, training).transpose(2, 0, 1).expandDims(0);
  }

  /** transformers' MPNetEncoder.relative_position_bucket: exact buckets near, logarithmic ones far. */
  static int relativeBucket(int relativePosition, int numBuckets) {
    int n = -relativePosition;
    int half = numBuckets / 2;
    int bucket = n < 0 ? half : 0;
    n = Math.abs(n);
    int maxExact = half / 2;
    if (n < maxExact) {
      return bucket + n;
    }
    int large = maxExact + (int) (Math.log((double) n / maxExact) / Math.log((double) MAX_DISTANCE / maxExact)
        * (half - maxExact));
    return bucket + Math.min(large, half - 1);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(config.hidden())};
  }
}
