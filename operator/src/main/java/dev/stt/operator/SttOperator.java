package dev.stt.operator;

import dev.stt.api.validation.TrainingValidator;
import dev.stt.operator.reconciler.TrainerProgress;
import dev.stt.operator.reconciler.TrainingReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/** The JOSDK operator with this project's reconciler, as production and the tests run it. */
public final class SttOperator {
  private final Operator operator;
  private final AtomicBoolean leading;
  private final boolean electing;

  private SttOperator(Operator operator, AtomicBoolean leading, boolean electing) {
    this.operator = operator;
    this.leading = leading;
    this.electing = electing;
  }

  public static SttOperator create(KubernetesClient client, OperatorSettings settings, Clock clock,
      MeterRegistry registry) {
    AtomicBoolean leading = new AtomicBoolean(settings.leaderElection().isEmpty());
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          // Merge patches and updates, no server-side apply: as the Flink and Spark operators run, and what the
          // tests' mock API server supports.
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withCloseClientOnStop(false)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry));
      settings.leaderElection().ifPresent(le -> o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
          le.leaseName(), le.namespace(), le.leaseDuration(), le.renewDeadline(), le.retryPeriod(), le.identity(),
          new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), leader -> { }), le.exitOnLoss())));
    });
    operator.register(new TrainingReconciler(TrainingValidator.bundled(), settings.trainerImage(), clock,
        new TrainingMetrics(registry), new TrainerProgress(settings.progressInterval())), c -> {
          if (!settings.namespaces().isEmpty()) {
            c.settingNamespaces(settings.namespaces());
          }
        });
    return new SttOperator(operator, leading, settings.leaderElection().isPresent());
  }

  public void start() {
    operator.start();
  }

  public void stop() {
    operator.stop();
  }

  public boolean isLeader() {
    return leading.get();
  }

  /** Alive once started. */
  public boolean healthy() {
    return operator.getRuntimeInfo().isStarted();
  }

  /** Ready when started; the leader also needs healthy informers, a standby replica has none running. */
  public boolean ready() {
    if (!operator.getRuntimeInfo().isStarted()) {
      return false;
    }
    return (electing && !leading.get()) || operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  public Operator operator() {
    return operator;
  }
}
