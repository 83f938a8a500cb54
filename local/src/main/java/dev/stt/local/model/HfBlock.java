package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;

/**
 * A DJL block that knows the Hugging Face name of each of its parameters. DJL names parameters by block path
 * ({@code 02layer0_01query_weight}); {@link #hfParameters} is the explicit map from checkpoint names to those
 * parameters, used both to load and to save.
 */
abstract class HfBlock extends AbstractBlock {

  /** Adds this block's base parameters (not LoRA adapters) under their Hugging Face names. */
  abstract void hfParameters(Map<String, Parameter> into);

  Parameter parameter(String name, Parameter.Type type, NDArray array) {
    return addParameter(Parameter.builder().setName(name).setType(type).optArray(array).build());
  }

  /** The value of a parameter for this forward pass, as DJL blocks read it. */
  static NDArray value(ParameterStore store, Parameter parameter, NDArray input, boolean training) {
    return store.getValue(parameter, input.getDevice(), training);
  }

  /** A view without gradient tracking, owned by the given manager rather than the model's. */
  static NDArray detached(Parameter parameter, NDManager manager) {
    NDArray view = parameter.getArray().stopGradient();
    view.attach(manager);
    return view;
  }

  /** Dropout while training; evaluation passes the input through without a call into the engine. */
  static NDArray dropout(NDArray x, float rate, boolean training) {
    return training && rate > 0 ? Dropout.dropout(x, rate, true).head() : x;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    // Parameters come with their arrays (see Weights); initialising only marks them for gradients.
    for (Block child : children.values()) {
      child.initialize(manager, dataType, inputShapes);
    }
  }

  /** Blocks are called through their typed methods; this serves DJL's generic callers with one input. */
  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
      PairList<String, Object> params) {
    return new NDList(apply(store, inputs.singletonOrThrow(), training));
  }

  NDArray apply(ParameterStore store, NDArray input, boolean training) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " takes several inputs");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
