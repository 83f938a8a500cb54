package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Random;

/** A linear layer ({@code nn.Linear}: weight [out, in], bias [out]), optionally with a LoRA adapter. */
public final class Dense extends HfBlock {
  private final String hfName;
  private final int in;
  private final int out;
  private final Parameter weight;
  private final Parameter bias;
  private Adapter adapter;

  /** peft's LoRA: y = W x + (alpha / r) B A dropout(x), with B zero at the start so training starts from W. */
  private record Adapter(Parameter a, Parameter b, float scale, float dropout) {}

  Dense(String hfName, int in, int out, Weights weights) {
    this.hfName = hfName;
    this.in = in;
    this.out = out;
    weight = parameter("weight", Parameter.Type.WEIGHT,
        weights.tensor(hfName + ".weight", new Shape(out, in), Weights.Init.NORMAL));
    bias = parameter("bias", Parameter.Type.BIAS, weights.tensor(hfName + ".bias", new Shape(out),
        Weights.Init.ZEROS));
  }

  public String hfName() {
    return hfName;
  }

  /** The last part of the module name, which peft's target_modules match (e.g. query, q_lin). */
  public String moduleName() {
    return hfName.substring(hfName.lastIndexOf('.') + 1);
  }

  void addAdapter(NDManager manager, int r, int alpha, float dropout, Random random) {
    // peft initialises A as nn.Linear does (kaiming uniform, a = sqrt(5)): uniform(-1/sqrt(in), 1/sqrt(in)).
    float bound = (float) (1 / Math.sqrt(in));
    float[] values = new float[r * in];
    for (int i = 0; i < values.length; i++) {
      values[i] = (random.nextFloat() * 2 - 1) * bound;
    }
    Parameter a = parameter("lora_A", Parameter.Type.WEIGHT, manager.create(values, new Shape(r, in)));
    Parameter b = parameter("lora_B", Parameter.Type.WEIGHT, manager.zeros(new Shape(out, r)));
    for (Parameter p : new Parameter[] {a, b}) {
      p.initialize(manager, DataType.FLOAT32);
    }
    adapter = new Adapter(a, b, (float) alpha / r, dropout);
  }

  @Override
  void hfParameters(Map<String, Parameter> into) {
    into.put(hfName + ".weight", weight);
    into.put(hfName + ".bias", bias);
  }

  /** peft's names for the adapter, as in adapter_model.safetensors. */
  void adapterParameters(Map<String, Parameter> into) {
    if (adapter != null) {
      into.put("base_model.model." + hfName + ".lora_A.weight", adapter.a());
      into.put("base_model.model." + hfName + ".lora_B.weight", adapter.b());
    }
  }

  /** W + scale * B A, what peft's merge_and_unload writes; the base weight when there is no adapter. */
  NDArray mergedWeight(NDManager manager) {
    NDArray w = detached(weight, manager);
    if (adapter == null) {
      return w;
    }
    return w.add(detached(adapter.b(), manager).matMul(detached(adapter.a(), manager)).mul(adapter.scale()));
  }

  @Override
  NDArray apply(ParameterStore store, NDArray x, boolean training) {
    NDArray w = value(store, weight, x, training);
    NDArray b = value(store, bias, x, training);
    NDArray y = Linear.linear(x, w, b).head();
    if (adapter == null) {
      return y;
    }
    NDArray low = Linear.linear(dropout(x, adapter.dropout(), training), value(store, adapter.a(), x, training)).head();
    return y.add(Linear.linear(low, value(store, adapter.b(), x, training)).head().mul(adapter.scale()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape input = inputShapes[0];
    return new Shape[] {input.slice(0, input.dimension() - 1).add(out)};
  }
}
