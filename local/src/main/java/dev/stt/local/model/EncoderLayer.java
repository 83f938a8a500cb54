package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;

/** One post-norm transformer layer: self-attention, add and norm, feed-forward (gelu), add and norm. */
final class EncoderLayer extends HfBlock {
  private final EncoderConfig config;
  private final Dense query;
  private final Dense key;
  private final Dense value;
  private final Dense attentionOut;
  private final Norm attentionNorm;
  private final Dense ffnIn;
  private final Dense ffnOut;
  private final Norm outputNorm;

  EncoderLayer(EncoderConfig config, int index, Weights weights) {
    this.config = config;
    EncoderConfig.Layout l = config.layout();
    String p = l.layerPrefix() + index + ".";
    int h = config.hidden();
    query = addChildBlock("query", new Dense(p + l.query(), h, h, weights));
    key = addChildBlock("key", new Dense(p + l.key(), h, h, weights));
    value = addChildBlock("value", new Dense(p + l.value(), h, h, weights));
    attentionOut = addChildBlock("attentionOut", new Dense(p + l.attentionOut(), h, h, weights));
    attentionNorm = addChildBlock("attentionNorm", new Norm(p + l.attentionNorm(), h, config.layerNormEps(),
        weights));
    ffnIn = addChildBlock("ffnIn", new Dense(p + l.ffnIn(), h, config.intermediate(), weights));
    ffnOut = addChildBlock("ffnOut", new Dense(p + l.ffnOut(), config.intermediate(), h, weights));
    outputNorm = addChildBlock("outputNorm", new Norm(p + l.outputNorm(), h, config.layerNormEps(), weights));
  }

  List<Dense> denses() {
    return List.of(query, key, value, attentionOut, ffnIn, ffnOut);
  }

  @Override
  void hfParameters(Map<String, Parameter> into) {
    for (var child : children.values()) {
      ((HfBlock) child).hfParameters(into);
    }
  }

  /**
   * @param x hidden states [batch, tokens, hidden]
   * @param maskBias 0 for tokens, a large negative number for padding, [batch, 1, 1, tokens]
   * @param positionBias MPNet's relative position bias [1, heads, tokens, tokens], else null
   */
  NDArray apply(ParameterStore store, NDArray x, NDArray maskBias, NDArray positionBias, boolean training) {
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long tokens = shape.get(1);
    NDArray q = heads(query.apply(store, x, training), batch, tokens).mul(1 / Math.sqrt(config.headSize()));
    NDArray k = heads(key.apply(store, x, training), batch, tokens);
    NDArray v = heads(value.apply(store, x, training), batch, tokens);
    NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).add(maskBias);
    if (positionBias != null) {
      scores = scores.add(positionBias);
    }
    NDArray probabilities = dropout(scores.softmax(-1), config.attentionDropout(), training);
    NDArray context = probabilities.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, config.hidden());
    NDArray attended = attentionNorm.apply(store,
        x.add(dropout(attentionOut.apply(store, context, training), config.hiddenDropout(), training)), training);
    NDArray ffn = ffnOut.apply(store, Activation.gelu(ffnIn.apply(store, attended, training)), training);
    return outputNorm.apply(store, attended.add(dropout(ffn, config.hiddenDropout(), training)), training);
  }

  /** [batch, tokens, hidden] to [batch, heads, tokens, head size]. */
  private NDArray heads(NDArray x, long batch, long tokens) {
    return x.reshape(batch, tokens, config.heads(), config.headSize()).transpose(0, 2, 1, 3);
  }
}
