package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;

/** {@code nn.Embedding}: rows of a table looked up by integer ids (tokens, positions, types, relative buckets). */
final class Table extends HfBlock {
  private final String hfName;
  private final int dim;
  private final Parameter weight;

  Table(String hfName, int rows, int dim, Weights weights) {
    this.hfName = hfName;
    this.dim = dim;
    weight = parameter("weight", Parameter.Type.WEIGHT,
        weights.tensor(hfName + ".weight", new Shape(rows, dim), Weights.Init.NORMAL));
  }

  @Override
  void hfParameters(Map<String, Parameter> into) {
    into.put(hfName + ".weight", weight);
  }

  /** The result joins the ids' scope (the step), not the table's. */
  @Override
  NDArray apply(ParameterStore store, NDArray ids, boolean training) {
    return ids.getNDArrayInternal().embedding(ids, value(store, weight, ids, training), SparseFormat.DENSE).head();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0].add(dim)};
  }
}
