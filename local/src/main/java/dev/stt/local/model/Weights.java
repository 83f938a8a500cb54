package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the encoder's tensors come from, by Hugging Face name: a checkpoint, or a fresh initialisation as
 * {@code transformers} does it (normal(0, 0.02) weights, zero biases, unit norms). The blocks ask for each tensor with
 * the shape the config implies, so a checkpoint that does not match the config fails with the tensor's name.
 */
public interface Weights {

  enum Init { NORMAL, ZEROS, ONES }

  NDArray tensor(String hfName, Shape shape, Init init);

  /** A checkpoint's tensors; names may carry the architecture's prefix (e.g. {@code bert.}), as task models do. */
  static Checkpoint checkpoint(Map<String, NDArray> tensors, String prefix) {
    return new Checkpoint(tensors, prefix);
  }

  /** Deterministic for a seed, independent of the engine's random state. */
  static Weights random(NDManager manager, long seed) {
    Random random = new Random(seed);
    return (name, shape, init) -> {
      float[] values = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = switch (init) {
          case NORMAL -> (float) (random.nextGaussian() * 0.02);
          case ZEROS -> 0f;
          case ONES -> 1f;
        };
      }
      return manager.create(values, shape);
    };
  }

  final class Checkpoint implements Weights {
    private final Map<String, NDArray> tensors = new TreeMap<>();
    private final Set<String> used = new TreeSet<>();

    private Checkpoint(Map<String, NDArray> tensors, String prefix) {
      tensors.forEach((name, array) -> this.tensors.put(name.startsWith(prefix) ? name.substring(prefix.length())
          : name, array));
    }

    @Override
    public NDArray tensor(String hfName, Shape shape, Init init) {
      NDArray array = tensors.get(hfName);
      if (array == null) {
        throw new ModelException("the checkpoint has no tensor " + hfName + " (it has " + tensors.size()
            + " tensors, e.g. " + tensors.keySet().stream().limit(3).toList() + "): is config.json's model_type"
            + " right?");
      }
      if (!array.getShape().equals(shape)) {
        throw new ModelException("tensor " + hfName + " has shape " + array.getShape() + " but config.json implies "
            + shape);
      }
      used.add(hfName);
      return array.getDataType() == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
    }

    /** Tensors no block asked for, e.g. a pooler or a task head that sentence embeddings do not use. */
    public Set<String> unused() {
      Set<String> unused = new TreeSet<>(tensors.keySet());
      unused.removeAll(used);
      return unused;
    }
  }
}
