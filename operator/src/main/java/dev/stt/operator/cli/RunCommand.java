package dev.stt.operator.cli;

import dev.stt.operator.OperatorSettings;
import dev.stt.operator.SttOperator;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Run the operator against the cluster of the current kubeconfig or in-cluster"
    + " service account.")
final class RunCommand implements Callable<Integer> {
  @Option(names = "--namespaces", split = ",", defaultValue = "${env:STT_WATCH_NAMESPACES:-}",
      description = "Namespaces to watch, comma separated (env STT_WATCH_NAMESPACES). Default: all.")
  Set<String> namespaces;

  @Option(names = "--trainer-image", defaultValue = "${env:STT_TRAINER_IMAGE:-" + OperatorSettings.DEFAULT_TRAINER_IMAGE
      + "}", description = "Trainer image for resources that name none (env STT_TRAINER_IMAGE). Default: ${DEFAULT-VALUE}.")
  String trainerImage;

  @Override
  public Integer call() throws InterruptedException {
    Set<String> watched = namespaces == null ? Set.of()
        : namespaces.stream().map(String::trim).filter(n -> !n.isEmpty()).collect(java.util.stream.Collectors.toSet());
    var client = new KubernetesClientBuilder().build();
    Operator operator = SttOperator.create(client, new OperatorSettings(watched, trainerImage), Clock.systemUTC());
    operator.installShutdownHook(Duration.ofSeconds(30));
    operator.start();
    new CountDownLatch(1).await();
    return 0;
  }
}
