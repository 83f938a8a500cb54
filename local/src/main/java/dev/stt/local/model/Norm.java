package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** {@code nn.LayerNorm} over the last axis; Hugging Face names its parameters weight and bias (DJL: gamma, beta). */
final class Norm extends HfBlock {
  private final String hfName;
  private final Shape shape;
  private final float eps;
  private final Parameter gamma;
  private final Parameter beta;

  Norm(String hfName, int size, float eps, Weights weights) {
    this.hfName = hfName;
    this.shape = new Shape(size);
    this.eps = eps;
    gamma = parameter("gamma", Parameter.Type.GAMMA, weights.tensor(hfName + ".weight", shape, Weights.Init.ONES));
    beta = parameter("beta", Parameter.Type.BETA, weights.tensor(hfName + ".bias", shape, Weights.Init.ZEROS));
  }

  @Override
  void hfParameters(Map<String, Parameter> into) {
    into.put(hfName + ".weight", gamma);
    into.put(hfName + ".bias", beta);
  }

  @Override
  NDArray apply(ParameterStore store, NDArray x, boolean training) {
    return LayerNorm.layerNorm(x, shape, value(store, gamma, x, training), value(store, beta, x, training), eps)
        .head();
  }
}
