package dev.stt.operator.reconciler;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.OutputStatus;
import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.PlanStatus;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.v1alpha1.SentenceTransformerTrainingStatus;
import dev.stt.api.v1alpha1.WorkersStatus;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The status one reconcile computes, and the events its transitions deserve. Committed as one optimistic-locked
 * update (a conflict fails the reconcile, which is retried on the fresh resource), only when something changed, and
 * before the reconcile acts on pods, so that a lost write never leaves an action unrecorded.
 */
final class StatusUpdate {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private record PendingEvent(String type, String reason, String message) {}

  private final SentenceTransformerTraining training;
  private final SentenceTransformerTrainingStatus previous;
  private final SentenceTransformerTrainingStatus next;
  private final Instant now;
  private final List<PendingEvent> events = new ArrayList<>();

  StatusUpdate(SentenceTransformerTraining training, Instant now) {
    this.training = training;
    this.previous = training.getStatus();
    this.next = previous == null ? new SentenceTransformerTrainingStatus()
        : MAPPER.convertValue(previous, SentenceTransformerTrainingStatus.class);
    if (next.conditions == null) {
      next.conditions = new ArrayList<>();
    }
    this.now = now;
    next.observedGeneration = training.getMetadata().getGeneration();
  }

  SentenceTransformerTrainingStatus next() {
    return next;
  }

  Instant now() {
    return now;
  }

  int attempt() {
    return next.restarts == null ? 0 : next.restarts;
  }

  /** A run that ended after it started; a run that failed validation before starting can still be fixed. */
  boolean finished() {
    return next.phase == Phase.Succeeded || (next.phase == Phase.Failed && next.startTime != null);
  }

  boolean started() {
    return next.startTime != null;
  }

  /** Sets a condition; an event is recorded only when its status flips. */
  boolean condition(String type, boolean status, String reason, String message) {
    return Conditions.set(next.conditions, type, status, reason, message, next.observedGeneration, now.toString());
  }

  boolean isTrue(String type) {
    return Conditions.isTrue(next.conditions, type);
  }

  void event(String type, String reason, String message) {
    events.add(new PendingEvent(type, reason, message));
  }

  void phase(Phase phase, String message) {
    next.phase = phase;
    next.message = message;
  }

  void plan(Plan plan, SentenceTransformerTraining training, String outputPath) {
    PlanStatus p = new PlanStatus();
    p.topology = plan.topology().toString();
    p.worldSize = plan.topology().worldSize();
    p.launcher = plan.topology().launcher();
    p.loraTargetModules = plan.lora().enabled() ? plan.lora().targetModules() : null;
    p.gradientCheckpointing = plan.training().gradientCheckpointing();
    p.hpuGraphs = plan.training().hpuGraphs();
    p.estimatedHbmGiBPerCard = plan.memory().estimatedGiBPerCard();
    p.fits = plan.memory().fits();
    next.plan = p;
    OutputStatus output = new OutputStatus();
    output.claimName = training.getSpec().output.claimName;
    output.path = outputPath;
    next.output = output;
  }

  void workers(WorkerStates states) {
    next.workers = new WorkersStatus(states.active(), states.running(), states.succeeded(), states.failed());
  }

  void started(Instant at) {
    if (next.startTime == null) {
      next.startTime = at.toString();
    }
  }

  void restarted() {
    next.restarts = attempt() + 1;
  }

  void completed() {
    if (next.completionTime == null) {
      next.completionTime = now.toString();
    }
  }

  boolean changed() {
    return !Objects.equals(MAPPER.valueToTree(previous), MAPPER.valueToTree(next));
  }

  void commit(Context<SentenceTransformerTraining> context, EventRecorder recorder) {
    if (changed()) {
      PrimaryUpdateAndCacheUtils.updateAndCacheResource(training, context, r -> {
        r.setStatus(next);
        return r;
      }, r -> context.getClient().resource(r).updateStatus(), 0,
          PrimaryUpdateAndCacheUtils.DEFAULT_RESOURCE_CACHE_TIMEOUT_MILLIS,
          PrimaryUpdateAndCacheUtils.DEFAULT_RESOURCE_CACHE_POLL_PERIOD_MILLIS);
    }
    events.forEach(e -> recorder.record(training, e.type(), e.reason(), e.message()));
    events.clear();
  }
}
