package dev.stt.operator.reconciler;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.RunPolicy.CleanPodPolicy;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.validation.Problem;
import dev.stt.api.validation.TrainingValidator;
import dev.stt.operator.TrainingMetrics;
import dev.stt.operator.render.Labels;
import dev.stt.operator.render.ObjectNames;
import dev.stt.operator.render.TrainConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a training through its lifecycle: validate and plan, create the config and the workers, follow the workers
 * to success, restart them together on failure until the backoff limit, and honour suspend, deadline, cleanup and TTL.
 */
@ControllerConfiguration(name = TrainingReconciler.NAME)
@GradualRetry(maxAttempts = -1, initialInterval = 500, intervalMultiplier = 2, maxInterval = 60_000)
public class TrainingReconciler implements Reconciler<SentenceTransformerTraining> {
  public static final String NAME = "sentencetransformertraining";
  private static final Logger LOG = LoggerFactory.getLogger(TrainingReconciler.class);
  /** Re-check while old workers terminate, in case their deletion event is missed. */
  private static final Duration STALE_WORKER_RECHECK = Duration.ofSeconds(10);
  private static final Duration NEXT_ATTEMPT_DELAY = Duration.ofSeconds(1);
  private static final Duration VOLUME_RECHECK = Duration.ofSeconds(10);
  private static final Duration POD_REFUSED_RETRY = Duration.ofSeconds(10);

  private final ValidatedSpecs validatedSpecs;
  private final String defaultImage;
  private final Clock clock;
  private final TrainingMetrics metrics;
  private final TrainerProgress trainerProgress;
  private final VolumeClaims volumeClaims = new VolumeClaims();

  public TrainingReconciler(TrainingValidator validator, String defaultImage, Clock clock, TrainingMetrics metrics,
      TrainerProgress trainerProgress) {
    this.validatedSpecs = new ValidatedSpecs(validator);
    this.defaultImage = defaultImage;
    this.clock = clock;
    this.metrics = metrics;
    this.trainerProgress = trainerProgress;
  }

  @Override
  public List<EventSource<?, SentenceTransformerTraining>> prepareEventSources(
      EventSourceContext<SentenceTransformerTraining> context) {
    metrics.watch(context.getPrimaryCache());
    return List.of(owned(Pod.class, context), owned(ConfigMap.class, context), owned(Service.class, context));
  }

  private static <R extends HasMetadata> InformerEventSource<R, SentenceTransformerTraining> owned(Class<R> type,
      EventSourceContext<SentenceTransformerTraining> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(type, SentenceTransformerTraining.class)
        .withLabelSelector(Labels.MANAGED_BY)
        .withNamespacesInheritedFromController()
        .build(), context);
  }

  @Override
  public UpdateControl<SentenceTransformerTraining> reconcile(SentenceTransformerTraining training,
      Context<SentenceTransformerTraining> ctx) {
    EventRecorder events = new EventRecorder(ctx.getClient(), clock);
    StatusUpdate status = new StatusUpdate(training, clock.instant());

    TrainingValidator.Outcome outcome = validatedSpecs.validate(training);
    if (!outcome.valid()) {
      rejectInvalid(status, outcome.problems());
      status.commit(ctx, events);
      return UpdateControl.noUpdate();
    }
    Plan plan = outcome.planned().plan();
    status.plan(plan, training, TrainConfig.outputPath(training));
    if (status.condition(Conditions.VALID, true, "Planned", planSummary(plan))) {
      LOG.info("{}/{}: {}", training.getMetadata().getNamespace(), training.getMetadata().getName(),
          planSummary(plan));
    }

    if (status.finished()) {
      return afterEnd(training, plan, status, ctx, events);
    }

    TrainConfigMapResource.reconcile(training, plan, ctx);
    RendezvousServiceResource.reconcile(training, plan, ctx);
    List<Pod> pods = WorkerPodsResource.all(ctx);

    if (plan.policy().suspend()) {
      return suspend(plan, pods, status, ctx, events);
    }
    if (status.isTrue(Conditions.SUSPENDED)) {
      status.condition(Conditions.SUSPENDED, false, "Resumed", "workers recreated; training resumes from the"
          + " latest checkpoint");
      status.event(EventRecorder.NORMAL, "Resumed", "suspend set to false: recreating the workers");
    }

    Optional<Instant> deadline = deadline(plan, status);
    if (deadline.isPresent() && !status.now().isBefore(deadline.get())) {
      return end(training, plan, status, Phase.Failed, "DeadlineExceeded", "the run exceeded"
          + " runPolicy.activeDeadlineSeconds (" + plan.policy().activeDeadlineSeconds() + " s); raise it to allow"
          + " longer runs", pods, ctx, events);
    }

    int attempt = status.attempt();
    List<Pod> stale = pods.stream().filter(p -> !WorkerPodsResource.ofAttempt(p, attempt)).toList();
    if (!stale.isEmpty()) {
      status.commit(ctx, events);
      WorkerPodsResource.delete(stale, ctx);
      return UpdateControl.<SentenceTransformerTraining>noUpdate().rescheduleAfter(STALE_WORKER_RECHECK);
    }

    WorkerStates workers = WorkerStates.of(plan.topology().workers(), pods);
    status.workers(workers);
    Optional<WorkerStates.Failure> failure = workers.firstFailure().or(() -> lost(status, workers, pods));
    if (failure.isPresent()) {
      return onFailure(training, plan, status, failure.get(), pods, ctx, events);
    }
    if (workers.allSucceeded()) {
      workers.byIndex().values().stream().filter(p -> "0".equals(p.getMetadata().getLabels().get(Labels.WORKER_INDEX)))
          .findFirst().flatMap(TrainerProgress::finalReport).ifPresent(report -> TrainerProgress.apply(report, status));
      trainerProgress.forget(runKey(training));
      return end(training, plan, status, Phase.Succeeded, "Completed", "training finished; the model is in "
          + training.getSpec().output.claimName + " under " + status.next().output.path + "/final", pods, ctx,
          events);
    }

    WorkerStates current = workers;
    if (!workers.missing().isEmpty()) {
      List<String> claims = volumeClaims.missing(training, ctx.getClient(), status.now());
      if (!claims.isEmpty()) {
        return waitForVolumes(training, status, claims, ctx, events);
      }
      var creation = WorkerPodsResource.create(training, plan, workers.missing(), attempt, defaultImage, ctx);
      // Count the new workers now, or the next reconcile would write the status again only to add them.
      current = WorkerStates.of(plan.topology().workers(),
          Stream.concat(pods.stream(), creation.created().stream()).toList());
      if (creation.refusal().isPresent()) {
        return podRefused(status, current, creation.refusal().get(), ctx, events);
      }
    }
    recordCreated(training, plan, status, current, attempt);
    progress(plan, status, current);
    Optional<Duration> nextPoll = Optional.empty();
    if (current.allRunning()) {
      trainerProgress.poll(runKey(training), current.byIndex().get(0), status.now())
          .ifPresent(report -> TrainerProgress.apply(report, status));
      nextPoll = Optional.of(trainerProgress.interval());
    }
    status.commit(ctx, events);
    // Computed again: this reconcile may have started the run, and so its clock.
    Optional<Duration> untilDeadline = deadline(plan, status)
        .map(d -> Duration.between(status.now(), d).plusMillis(100));
    return Stream.of(nextPoll, untilDeadline).flatMap(Optional::stream).min(Duration::compareTo)
        .map(d -> UpdateControl.<SentenceTransformerTraining>noUpdate().rescheduleAfter(d))
        .orElse(UpdateControl.noUpdate());
  }

  /**
   * Records the workers of this attempt once they all exist, also when a lost status write left pods without their
   * record: the deadline, the frozen spec and the detection of lost workers all hang on it.
   */
  private void recordCreated(SentenceTransformerTraining training, Plan plan, StatusUpdate status,
      WorkerStates workers, int attempt) {
    status.workers(workers);
    if (!workers.byIndex().isEmpty()) {
      status.started(status.now());
    }
    if (workers.missing().isEmpty() && status.condition(Conditions.CREATED, true, "WorkersCreated",
        plan.topology().workers() + " worker pod(s) created for attempt " + attempt)) {
      status.event(EventRecorder.NORMAL, "WorkersCreated", "created " + plan.topology().workers()
          + " worker pod(s) on " + plan.topology() + " cards (" + plan.topology().launcher() + ")");
      String createdAt = training.getMetadata().getCreationTimestamp();
      if (attempt == 0 && createdAt != null) {
        metrics.workersCreated(Duration.between(Instant.parse(createdAt), status.now()));
      }
    }
  }

  /** The API server refused a worker (invalid pod, quota): say so, and try again later, as quotas free up. */
  private static UpdateControl<SentenceTransformerTraining> podRefused(StatusUpdate status, WorkerStates workers,
      String refusal, Context<SentenceTransformerTraining> ctx, EventRecorder events) {
    status.workers(workers);
    if (!workers.byIndex().isEmpty()) {
      status.started(status.now());
    }
    if (status.condition(Conditions.CREATED, false, "PodRefused", refusal)) {
      status.event(EventRecorder.WARNING, "PodRefused", refusal);
    }
    if (status.next().phase != Phase.Restarting) {
      status.phase(Phase.Pending, refusal + "; retrying every " + POD_REFUSED_RETRY.toSeconds() + " s");
    }
    status.commit(ctx, events);
    return UpdateControl.<SentenceTransformerTraining>noUpdate().rescheduleAfter(POD_REFUSED_RETRY);
  }

  private static String runKey(SentenceTransformerTraining training) {
    return training.getMetadata().getNamespace() + "/" + training.getMetadata().getName();
  }

  private static UpdateControl<SentenceTransformerTraining> waitForVolumes(SentenceTransformerTraining training,
      StatusUpdate status, List<String> claims, Context<SentenceTransformerTraining> ctx, EventRecorder events) {
    String message = "waiting for PersistentVolumeClaim " + String.join(", ", claims) + " in namespace "
        + training.getMetadata().getNamespace() + ": create it (examples/pvc.yaml shows one); the run starts when it"
        + " exists";
    if (status.condition(Conditions.CREATED, false, "VolumeNotFound", message)) {
      status.event(EventRecorder.WARNING, "VolumeNotFound", message);
    }
    if (status.next().phase != Phase.Restarting) {
      status.phase(Phase.Pending, message);
    }
    status.commit(ctx, events);
    // No informer watches the user's claims, so look again shortly.
    return UpdateControl.<SentenceTransformerTraining>noUpdate().rescheduleAfter(VOLUME_RECHECK);
  }

  private static void rejectInvalid(StatusUpdate status, List<Problem> problems) {
    String message = problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
    boolean transition = status.condition(Conditions.VALID, false, "InvalidSpec", message);
    if (!status.started()) {
      status.phase(Phase.Failed, "invalid spec: " + message + ". Fix the spec and apply it again.");
    }
    if (transition) {
      status.event(EventRecorder.WARNING, "InvalidSpec", message);
    }
  }

  private UpdateControl<SentenceTransformerTraining> suspend(Plan plan, List<Pod> pods, StatusUpdate status,
      Context<SentenceTransformerTraining> ctx, EventRecorder events) {
    if (status.condition(Conditions.SUSPENDED, true, "Suspended", "runPolicy.suspend is true: workers deleted")) {
      status.event(EventRecorder.NORMAL, "Suspended", "deleting " + pods.size() + " worker pod(s)");
    }
    status.condition(Conditions.CREATED, false, "Suspended", "no workers while suspended");
    status.condition(Conditions.RUNNING, false, "Suspended", "no workers while suspended");
    status.phase(Phase.Suspended, "suspended: set runPolicy.suspend to false to resume from the latest checkpoint");
    status.workers(WorkerStates.of(plan.topology().workers(), List.of()));
    status.commit(ctx, events);
    WorkerPodsResource.delete(pods, ctx);
    return UpdateControl.noUpdate();
  }

  /** A worker of this attempt vanished or is being deleted by someone else: the gang cannot go on. */
  private static Optional<WorkerStates.Failure> lost(StatusUpdate status, WorkerStates workers, List<Pod> pods) {
    Optional<Pod> deleting = pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() != null
        && !WorkerStates.finished(p)).findFirst();
    if (deleting.isPresent()) {
      return Optional.of(new WorkerStates.Failure(-1, "WorkerDeleted", null,
          deleting.get().getMetadata().getName() + " is being deleted"));
    }
    if (status.isTrue(Conditions.CREATED) && !workers.missing().isEmpty()) {
      return Optional.of(new WorkerStates.Failure(workers.missing().get(0), "WorkerLost", null,
          "worker " + workers.missing().get(0) + " disappeared"));
    }
    return Optional.empty();
  }

  private UpdateControl<SentenceTransformerTraining> onFailure(SentenceTransformerTraining training, Plan plan,
      StatusUpdate status, WorkerStates.Failure failure, List<Pod> pods, Context<SentenceTransformerTraining> ctx,
      EventRecorder events) {
    String worker = failure.index() < 0 ? "a worker"
        : ObjectNames.workerPod(training.getMetadata().getName(), failure.index());
    String what = failure.describe(worker);
    if (failure.invalidConfiguration()) {
      return end(training, plan, status, Phase.Failed, "InvalidConfiguration", what + ". The trainer rejected its"
          + " configuration; fix the spec (restarting would not help)", pods, ctx, events);
    }
    int backoffLimit = plan.policy().backoffLimit();
    if (status.attempt() >= backoffLimit) {
      return end(training, plan, status, Phase.Failed, "BackoffLimitExceeded", what + ". Gave up after "
          + status.attempt() + " restart(s) (runPolicy.backoffLimit " + backoffLimit + ")", pods, ctx, events);
    }
    status.restarted();
    String message = "restart " + status.attempt() + "/" + backoffLimit + " after " + what
        + "; resuming from the latest checkpoint";
    status.phase(Phase.Restarting, message);
    status.condition(Conditions.CREATED, false, failure.reason(), "recreating all workers");
    status.condition(Conditions.RUNNING, false, failure.reason(), what);
    status.event(EventRecorder.WARNING, failure.reason(), message);
    status.commit(ctx, events);
    metrics.restarted();
    WorkerPodsResource.delete(pods, ctx);
    // Deletions trigger the next attempt; when the lost workers were already gone, nothing else will.
    return UpdateControl.<SentenceTransformerTraining>noUpdate().rescheduleAfter(NEXT_ATTEMPT_DELAY);
  }

  private UpdateControl<SentenceTransformerTraining> end(SentenceTransformerTraining training, Plan plan,
      StatusUpdate status, Phase phase, String reason, String message, List<Pod> pods,
      Context<SentenceTransformerTraining> ctx, EventRecorder events) {
    boolean success = phase == Phase.Succeeded;
    status.started(status.now());
    status.completed();
    status.phase(phase, message);
    status.condition(Conditions.RUNNING, false, reason, "the run ended");
    status.condition(success ? Conditions.SUCCEEDED : Conditions.FAILED, true, reason, message);
    status.event(success ? EventRecorder.NORMAL : EventRecorder.WARNING, reason, message);
    status.commit(ctx, events);
    // A deadline stops the run whatever the cleanup policy keeps.
    cleanUp("DeadlineExceeded".equals(reason) && plan.policy().cleanPodPolicy() == CleanPodPolicy.NONE
        ? CleanPodPolicy.RUNNING : plan.policy().cleanPodPolicy(), pods, ctx);
    return ttl(training, plan, status, ctx);
  }

  /** Already ended: keep pods as the policy says (idempotently) and delete the resource when its TTL is up. */
  private UpdateControl<SentenceTransformerTraining> afterEnd(SentenceTransformerTraining training, Plan plan,
      StatusUpdate status, Context<SentenceTransformerTraining> ctx, EventRecorder events) {
    status.commit(ctx, events);
    cleanUp(plan.policy().cleanPodPolicy(), WorkerPodsResource.all(ctx), ctx);
    return ttl(training, plan, status, ctx);
  }

  private static void cleanUp(CleanPodPolicy policy, List<Pod> pods, Context<SentenceTransformerTraining> ctx) {
    List<Pod> doomed = switch (policy) {
      case NONE -> List.of();
      case RUNNING -> pods.stream().filter(p -> !WorkerStates.finished(p)).toList();
      case ALL -> pods;
    };
    WorkerPodsResource.delete(doomed, ctx);
  }

  private static UpdateControl<SentenceTransformerTraining> ttl(SentenceTransformerTraining training, Plan plan,
      StatusUpdate status, Context<SentenceTransformerTraining> ctx) {
    Long ttl = plan.policy().ttlSecondsAfterFinished();
    if (ttl == null) {
      return UpdateControl.noUpdate();
    }
    Instant expiry = Instant.parse(status.next().completionTime).plusSeconds(ttl);
    if (status.now().isBefore(expiry)) {
      return UpdateControl.<SentenceTransformerTraining>noUpdate()
          .rescheduleAfter(Duration.between(status.now(), expiry).plusMillis(100));
    }
    LOG.info("{}/{}: ttlSecondsAfterFinished ({} s) passed: deleting the resource (volumes stay)",
        training.getMetadata().getNamespace(), training.getMetadata().getName(), ttl);
    ctx.getClient().resource(training).delete();
    return UpdateControl.noUpdate();
  }

  private static Optional<Instant> deadline(Plan plan, StatusUpdate status) {
    Long seconds = plan.policy().activeDeadlineSeconds();
    if (seconds == null || status.next().startTime == null) {
      return Optional.empty();
    }
    return Optional.of(Instant.parse(status.next().startTime).plusSeconds(seconds));
  }

  private static void progress(Plan plan, StatusUpdate status, WorkerStates workers) {
    int expected = plan.topology().workers();
    if (workers.allRunning()) {
      if (status.condition(Conditions.RUNNING, true, "AllWorkersRunning", expected + " worker(s) running")) {
        status.event(EventRecorder.NORMAL, "Running", "all " + expected + " worker(s) running on "
            + plan.topology() + " cards");
      }
      status.phase(Phase.Running, "training on " + plan.topology() + " cards (world size "
          + plan.topology().worldSize() + ")");
      return;
    }
    String waiting = workers.waitingReason().map(r -> ": " + r).orElse("");
    String message = workers.running() + "/" + expected + " workers running" + waiting;
    status.condition(Conditions.RUNNING, false, "WaitingForWorkers", message);
    if (status.next().phase != Phase.Restarting) {
      status.phase(Phase.Pending, message);
    } else if (!waiting.isEmpty()) {
      status.phase(Phase.Restarting, "restart " + status.attempt() + ": " + message);
    }
  }

  private static String planSummary(Plan plan) {
    return plan.recipe().value() + " on " + plan.model().name() + ", " + plan.topology() + " cards via "
        + plan.topology().launcher() + (plan.lora().enabled() ? ", LoRA " + plan.lora().targetModules() : "")
        + (plan.zeroStage() > 0 ? ", ZeRO-" + plan.zeroStage() : "") + (plan.bf16() ? ", bf16" : "")
        + (plan.memory().estimatedGiBPerCard() == null ? "; " + plan.memory().explanation()
            : "; HBM " + plan.memory().explanation());
  }

  @Override
  public ErrorStatusUpdateControl<SentenceTransformerTraining> updateErrorStatus(
      SentenceTransformerTraining training, Context<SentenceTransformerTraining> context, Exception e) {
    metrics.reconcileFailed();
    LOG.warn("{}/{}: reconcile failed, will retry: {}", training.getMetadata().getNamespace(),
        training.getMetadata().getName(), e.getMessage());
    new EventRecorder(context.getClient(), clock).record(training, EventRecorder.WARNING, "ReconcileError",
        "will retry: " + WorkerStates.truncate(e.getMessage()));
    return ErrorStatusUpdateControl.noStatusUpdate();
  }
}
