package dev.stt.local.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import dev.stt.local.model.SentenceModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The training loop of the Hugging Face Trainer as sentence-transformers configures it: AdamW without weight decay,
 * linear warmup then linear decay, gradients clipped to a global norm of 1, gradient accumulation. Each step's arrays
 * live in a manager closed at the step's end, so memory stays flat however long the run.
 */
public final class Trainer {
  private static final float MAX_GRAD_NORM = 1f;

  /** The plan's hyperparameters that apply on one CPU. */
  public record Settings(int epochs, int batchSize, double learningRate, double warmupRatio,
      int accumulation, int evalSteps, long seed) {}

  /** What the loop measured: time excludes evaluations; losses are means over the first and last steps. */
  public record Result(int steps, int samples, double trainSeconds, double samplesPerSecond, double firstLoss,
      double lastLoss) {}

  /** Called every evalSteps with the step; returns a line to show, e.g. the validation metric. */
  public interface Evaluation {
    String at(int step);
  }

  private final Settings settings;
  private final Progress progress;

  public Trainer(Settings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * @param datasets the training sets; batches come from one set at a time
   * @param roundRobin take batches from each set in turn until the smallest is used up (paraphrases), else all
   *     batches shuffled together (sts, nli)
   */
  public Result train(SentenceModel model, Objective objective, List<List<Example>> datasets, boolean roundRobin,
      Evaluation evaluation) {
    Engine.getInstance().setRandomSeed((int) settings.seed());
    Random random = new Random(settings.seed());
    List<List<List<Example>>> epochs = new ArrayList<>();
    for (int epoch = 0; epoch < settings.epochs(); epoch++) {
      epochs.add(epochBatches(datasets, roundRobin, objective, random));
    }
    int steps = epochs.stream().mapToInt(b -> (b.size() + settings.accumulation() - 1) / settings.accumulation())
        .sum();
    if (steps == 0) {
      throw new DataException("no training batch: the training data has fewer rows than one batch ("
          + settings.batchSize() + ")");
    }
    int warmup = (int) Math.ceil(steps * settings.warmupRatio());
    Optimizer adam = Adam.builder().optLearningRateTracker((ai.djl.training.tracker.Tracker) update -> learningRate(update - 1, steps, warmup)).build();
    List<Parameter> parameters = new ArrayList<>(model.trainableParameters());
    parameters.addAll(objective.parameters());

    progress.start(steps);
    List<Float> losses = new ArrayList<>();
    int step = 0;
    int samples = 0;
    long trainNanos = 0;
    for (List<List<Example>> batches : epochs) {
      for (int start = 0; start < batches.size(); start += settings.accumulation()) {
        List<List<Example>> group = batches.subList(start, Math.min(batches.size(), start + settings.accumulation()));
        long begin = System.nanoTime();
        float loss = step(model, objective, group, parameters, adam);
        trainNanos += System.nanoTime() - begin;
        step++;
        samples += group.stream().mapToInt(List::size).sum();
        losses.add(loss);
        double seconds = trainNanos / 1e9;
        progress.step(step, loss, samples / seconds, seconds / step * (steps - step));
        if (evaluation != null && step % settings.evalSteps() == 0 && step < steps) {
          progress.line(evaluation.at(step));
        }
      }
    }
    progress.finish();
    double seconds = trainNanos / 1e9;
    int window = Math.max(1, Math.min(10, losses.size() / 4));
    return new Result(step, samples, seconds, samples / seconds, mean(losses.subList(0, window)),
        mean(losses.subList(losses.size() - window, losses.size())));
  }

  /** One optimizer step over a group of micro-batches; returns their mean loss. */
  private float step(SentenceModel model, Objective objective, List<List<Example>> group, List<Parameter> parameters,
      Optimizer optimizer) {
    try (NDManager step = model.manager().newSubManager()) {
      float total = 0;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        for (List<Example> batch : group) {
          NDArray loss = objective.loss(step, batch);
          collector.backward(group.size() == 1 ? loss : loss.div(group.size()));
          total += loss.getFloat();
        }
      }
      List<NDArray> gradients = new ArrayList<>();
      for (Parameter p : parameters) {
        NDArray gradient = p.getArray().getGradient();
        gradient.attach(step);
        gradients.add(gradient);
      }
      clip(gradients);
      for (int i = 0; i < parameters.size(); i++) {
        optimizer.update(parameters.get(i).getId(), parameters.get(i).getArray(), gradients.get(i));
      }
      return total / group.size();
    }
  }

  /** torch.nn.utils.clip_grad_norm_: scale all gradients together so that their global norm is at most 1. */
  private static void clip(List<NDArray> gradients) {
    NDList norms = new NDList();
    gradients.forEach(g -> norms.add(g.norm()));
    float norm = NDArrays.stack(norms).norm().getFloat();
    if (norm > MAX_GRAD_NORM) {
      float scale = MAX_GRAD_NORM / (norm + 1e-6f);
      gradients.forEach(g -> g.muli(scale));
    }
  }

  /** transformers' linear schedule with warmup, for the 0-based optimizer step. */
  private float learningRate(int step, int steps, int warmup) {
    double factor = step < warmup ? (double) step / Math.max(1, warmup)
        : Math.max(0, (double) (steps - step) / Math.max(1, steps - warmup));
    return (float) (settings.learningRate() * factor);
  }

  private List<List<Example>> epochBatches(List<List<Example>> datasets, boolean roundRobin, Objective objective,
      Random random) {
    List<List<List<Example>>> perSet = new ArrayList<>();
    for (List<Example> data : datasets) {
      List<Example> shuffled = new ArrayList<>(data);
      Collections.shuffle(shuffled, random);
      perSet.add(batches(shuffled, objective));
    }
    List<List<Example>> batches = new ArrayList<>();
    if (roundRobin) {
      int rounds = perSet.stream().mapToInt(List::size).min().orElse(0);
      for (int r = 0; r < rounds; r++) {
        for (List<List<Example>> set : perSet) {
          batches.add(set.get(r));
        }
      }
    } else {
      perSet.forEach(batches::addAll);
      Collections.shuffle(batches, random);
    }
    return batches;
  }

  /** Consecutive batches; a row whose text is already in the batch waits for a later one when duplicates matter. */
  private List<List<Example>> batches(List<Example> rows, Objective objective) {
    List<List<Example>> batches = new ArrayList<>();
    LinkedList<Example> pending = new LinkedList<>(rows);
    while (!pending.isEmpty()) {
      List<Example> batch = new ArrayList<>();
      Set<String> texts = new HashSet<>();
      for (Iterator<Example> it = pending.iterator(); it.hasNext() && batch.size() < settings.batchSize(); ) {
        Example e = it.next();
        if (!objective.noDuplicates() || e.texts().stream().noneMatch(texts::contains)) {
          batch.add(e);
          texts.addAll(e.texts());
          it.remove();
        }
      }
      if (batch.size() < settings.batchSize() && objective.dropLast()) {
        break;
      }
      batches.add(batch);
    }
    return batches;
  }

  private static double mean(List<Float> values) {
    return values.stream().mapToDouble(Float::doubleValue).average().orElse(Double.NaN);
  }
}
