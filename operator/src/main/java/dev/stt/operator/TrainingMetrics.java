package dev.stt.operator;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's own metrics, without per-resource labels (their cardinality would grow with every run): runs by
 * phase, gang restarts, time from apply to all workers created, reconcile errors.
 */
public final class TrainingMetrics {
  private final AtomicReference<IndexedResourceCache<SentenceTransformerTraining>> cache = new AtomicReference<>();
  private final Counter restarts;
  private final Counter reconcileErrors;
  private final Timer timeToWorkers;

  public TrainingMetrics(MeterRegistry registry) {
    for (Phase phase : Phase.values()) {
      Gauge.builder("stt_trainings", this, m -> m.count(phase)).tag("phase", phase.name())
          .description("SentenceTransformerTrainings by phase").register(registry);
    }
    restarts = Counter.builder("stt_gang_restarts").description("Gang restarts of training workers")
        .register(registry);
    reconcileErrors = Counter.builder("stt_reconcile_errors").description("Reconciles that failed and are retried")
        .register(registry);
    timeToWorkers = Timer.builder("stt_time_to_workers_created")
        .description("From the resource's creation to all worker pods of its first attempt created")
        .register(registry);
  }

  /** The controller's cache of trainings, which the phase gauges count at scrape time. */
  public void watch(IndexedResourceCache<SentenceTransformerTraining> trainings) {
    cache.set(trainings);
  }

  public void restarted() {
    restarts.increment();
  }

  public void reconcileFailed() {
    reconcileErrors.increment();
  }

  public void workersCreated(Duration sinceCreation) {
    timeToWorkers.record(sinceCreation);
  }

  private double count(Phase phase) {
    var trainings = cache.get();
    return trainings == null ? 0 : trainings.list().filter(t -> t.getStatus() != null && t.getStatus().phase == phase)
        .count();
  }
}
