package dev.stt.api.plan;

import java.util.Locale;

/**
 * Estimates peak HBM per card of a training run, to say before booking cards whether it fits.
 *
 * <p>Model states per parameter: a full fine-tune without DeepSpeed keeps fp32 weights, gradients and AdamW moments
 * (16 B, bf16 autocast does not shrink them); DeepSpeed with bf16 keeps bf16 weights and gradients and fp32 master
 * weights and moments (2 + 2 + 12 B), ZeRO-1/2/3 sharding the optimizer, then gradients, then weights across the world
 * size. LoRA freezes the fp32 base (4 B) and trains small adapters. Activations follow Korthikanti et al. (34 bytes
 * per token, hidden unit and layer in 16 bit; about 2 with gradient checkpointing), for the recipe's texts per example
 * at the sequence length. A fixed reserve covers the runtime and communication buffers.
 */
public final class MemoryPlanner {
  static final double GIB = 1024.0 * 1024 * 1024;
  static final double RUNTIME_RESERVE_GIB = 2.0;
  /** Headroom for fragmentation and graph workspaces. */
  static final double USABLE_FRACTION = 0.95;
  static final int DEFAULT_SEQ_LENGTH = 128;

  /** The run's shape, as the estimate needs it. */
  public record Shape(long parameters, int hidden, int layers, boolean lora, int loraR, int loraTargets,
      int zeroStage, int worldSize, boolean bf16, boolean gradientCheckpointing, int microBatch,
      int textsPerExample, int seqLength) {}

  private MemoryPlanner() {}

  public static double estimateGiB(Shape s) {
    double p = s.parameters();
    double states;
    if (s.lora()) {
      double adapters = 2.0 * s.loraR() * s.hidden() * s.loraTargets() * s.layers();
      double base = 4 * p / (s.zeroStage() == 3 ? s.worldSize() : 1);
      states = base + 16 * adapters;
    } else {
      states = fullStates(p, s.zeroStage(), s.worldSize(), s.bf16());
    }
    double tokens = (double) s.microBatch() * s.textsPerExample() * s.seqLength();
    double perTokenLayerBytes = s.gradientCheckpointing() ? 2.0 * s.layers() + 34 : 34.0 * s.layers();
    double activations = tokens * s.hidden() * perTokenLayerBytes * (s.bf16() ? 1 : 2);
    return (states + activations) / GIB + RUNTIME_RESERVE_GIB;
  }

  private static double fullStates(double p, int zeroStage, int n, boolean bf16) {
    if (zeroStage == 0) {
      return 16 * p;
    }
    double weights = bf16 ? 2 : 4;
    double optimizer = bf16 ? 12 : 8;
    return switch (zeroStage) {
      case 1 -> weights * p + weights * p + optimizer * p / n;
      case 2 -> weights * p + (weights + optimizer) * p / n;
      default -> (2 * weights + optimizer) * p / n;
    };
  }

  public static boolean fits(double estimateGiB, int hbmGiB) {
    return estimateGiB <= hbmGiB * USABLE_FRACTION;
  }

  /** A model of unknown shape: layers and hidden size from the parameter count, assuming hidden = 64 x layers. */
  public static int[] shapeOf(long parameters) {
    int layers = Math.max(1, (int) Math.round(Math.cbrt(parameters / (12.0 * 64 * 64))));
    return new int[] {64 * layers, layers};
  }

  static String gib(double value) {
    return String.format(Locale.ROOT, "%.1f GiB", value);
  }

  static String gb(double gib) {
    return String.format(Locale.ROOT, "%.0f GB", gib * GIB / 1e9);
  }
}
