package dev.stt.operator.cli;

import dev.stt.operator.HttpEndpoints;
import dev.stt.operator.OperatorSettings;
import dev.stt.operator.SttOperator;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Run the operator against the cluster of the current kubeconfig or in-cluster"
    + " service account. Every option also reads an environment variable, for container use.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--namespaces", split = ",", defaultValue = "${env:STT_WATCH_NAMESPACES:-}",
      description = "Namespaces to watch, comma separated (env STT_WATCH_NAMESPACES). Default: all.")
  Set<String> namespaces;

  @Mixin
  TrainerImageOption trainerImage;

  @Option(names = "--leader-election", defaultValue = "${env:STT_LEADER_ELECTION:-false}",
      description = "Hold a Lease so that only one replica reconciles (env STT_LEADER_ELECTION). Default: false.")
  boolean leaderElection;

  @Option(names = "--lease-name", defaultValue = "${env:STT_LEASE_NAME:-stt-operator}",
      description = "Name of the Lease (env STT_LEASE_NAME). Default: ${DEFAULT-VALUE}.")
  String leaseName;

  @Option(names = "--lease-namespace", defaultValue = "${env:POD_NAMESPACE:-}",
      description = "Namespace of the Lease (env POD_NAMESPACE). Default: the client's namespace.")
  String leaseNamespace;

  @Option(names = "--http-port", defaultValue = "${env:STT_HTTP_PORT:-8080}",
      description = "Port of /healthz, /readyz and /metrics (env STT_HTTP_PORT). Default: ${DEFAULT-VALUE}.")
  int httpPort;

  @Option(names = "--progress-interval", defaultValue = "${env:STT_PROGRESS_INTERVAL_SECONDS:-15}",
      description = "Seconds between polls of a running trainer's progress (env STT_PROGRESS_INTERVAL_SECONDS)."
          + " Default: ${DEFAULT-VALUE}.")
  long progressSeconds;

  @Option(names = "--log-level", defaultValue = "${env:STT_LOG_LEVEL:-INFO}",
      description = "TRACE, DEBUG, INFO, WARN or ERROR (env STT_LOG_LEVEL). Default: ${DEFAULT-VALUE}.")
  String logLevel;

  @Option(names = "--log-format", defaultValue = "${env:STT_LOG_FORMAT:-text}",
      description = "text or json (env STT_LOG_FORMAT). Default: ${DEFAULT-VALUE}.")
  Logging.Format logFormat;

  @Override
  public Integer call() throws Exception {
    Logging.configure(logLevel, logFormat);
    Set<String> watched = namespaces == null ? Set.of()
        : namespaces.stream().map(String::trim).filter(n -> !n.isEmpty()).collect(Collectors.toSet());
    var client = new KubernetesClientBuilder().build();
    Optional<OperatorSettings.LeaderElection> election = leaderElection
        ? Optional.of(OperatorSettings.LeaderElection.of(leaseName,
            leaseNamespace.isEmpty() ? client.getNamespace() : leaseNamespace,
            System.getenv().getOrDefault("POD_NAME", java.net.InetAddress.getLocalHost().getHostName())))
        : Optional.empty();
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    SttOperator operator = SttOperator.create(client,
        new OperatorSettings(watched, trainerImage.image, election, httpPort, Duration.ofSeconds(progressSeconds)),
        Clock.systemUTC(), registry);
    HttpEndpoints endpoints = new HttpEndpoints(httpPort, operator, registry).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.stop();
      endpoints.close();
      stopped.countDown();
    }, "shutdown"));
    operator.start();
    stopped.await();
    return 0;
  }
}
