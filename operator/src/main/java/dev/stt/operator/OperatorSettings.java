package dev.stt.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import dev.stt.operator.reconciler.TrainerProgress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * How the operator runs: the namespaces it watches (empty = all), the trainer image for resources that name none,
 * leader election (absent = off), the port of its health and metrics endpoints, and how often it polls a running
 * trainer's progress.
 */
public record OperatorSettings(Set<String> namespaces, String trainerImage, Optional<LeaderElection> leaderElection,
    int httpPort, Duration progressInterval) {
  public static final String DEFAULT_TRAINER_IMAGE = "ghcr.io/stt-operator/stt-trainer:0.1.0";
  public static final int DEFAULT_HTTP_PORT = 8080;

  /**
   * A Lease in {@code namespace} that one replica holds at a time; {@code identity} is usually the pod name. A replica
   * that loses the lease exits (and is restarted) unless {@code exitOnLoss} is false, as in tests.
   */
  public record LeaderElection(String leaseName, String namespace, String identity, Duration leaseDuration,
      Duration renewDeadline, Duration retryPeriod, boolean exitOnLoss) {

    public static LeaderElection of(String leaseName, String namespace, String identity) {
      return new LeaderElection(leaseName, namespace, identity, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
          LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
          LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, true);
    }
  }

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
  }

  /** Settings for tests and tools: all namespaces, no leader election. */
  public static OperatorSettings of(String trainerImage) {
    return new OperatorSettings(Set.of(), trainerImage, Optional.empty(), DEFAULT_HTTP_PORT,
        TrainerProgress.DEFAULT_INTERVAL);
  }
}
