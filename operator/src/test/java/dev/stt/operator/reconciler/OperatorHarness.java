package dev.stt.operator.reconciler;

import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.OperatorSettings;
import dev.stt.operator.SttOperator;
import dev.stt.operator.Trainings;
import dev.stt.operator.render.Labels;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/** The real operator, in-process, against a CRUD mock API server; pod phases are driven by writing pod status. */
public final class OperatorHarness implements AutoCloseable {
  public static final String NAMESPACE = "ml";
  public static final String IMAGE = "registry.example/stt-trainer:test";
  /** The volumes the examples mount, created up front as a user would. */
  public static final List<String> CLAIMS = List.of("models", "hf-cache");

  private final KubernetesClient client;
  private SttOperator operator;

  public OperatorHarness(KubernetesClient client) {
    this.client = client;
    installCrd(client);
    for (String claim : CLAIMS) {
      client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new PersistentVolumeClaimBuilder()
          .withNewMetadata().withName(claim).endMetadata()
          .withNewSpec().withAccessModes("ReadWriteMany").withNewResources()
          .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).createOr(c -> c.update());
    }
  }

  public static void installCrd(KubernetesClient client) {
    try (var in = new FileInputStream(Trainings.REPO.resolve("crds/sentencetransformertrainings.stt.dev-v1.yml")
        .toFile())) {
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(c -> c.update());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public OperatorHarness start() {
    return start(OperatorSettings.of(IMAGE), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  public OperatorHarness start(OperatorSettings settings, io.micrometer.core.instrument.MeterRegistry registry) {
    operator = SttOperator.create(client, settings, Clock.systemUTC(), registry);
    operator.start();
    return this;
  }

  public SttOperator operator() {
    return operator;
  }

  public void stop() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  public MixedOperation<SentenceTransformerTraining, KubernetesResourceList<SentenceTransformerTraining>,
      Resource<SentenceTransformerTraining>> trainings() {
    return client.resources(SentenceTransformerTraining.class);
  }

  public SentenceTransformerTraining apply(SentenceTransformerTraining training) {
    return trainings().inNamespace(NAMESPACE).resource(training).create();
  }

  public SentenceTransformerTraining get(String name) {
    return trainings().inNamespace(NAMESPACE).withName(name).get();
  }

  public SentenceTransformerTraining awaitStatus(String name, Predicate<SentenceTransformerTraining> condition) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> get(name), t -> t != null && t.getStatus() != null && condition.test(t));
  }

  public List<Pod> pods(String training) {
    return client.pods().inNamespace(NAMESPACE).withLabel(Labels.TRAINING, training).list().getItems().stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName())).toList();
  }

  public List<Pod> awaitPods(String training, int count, int attempt) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> pods(training), pods -> pods.size() == count
            && pods.stream().allMatch(p -> String.valueOf(attempt).equals(p.getMetadata().getLabels()
                .get(Labels.ATTEMPT))));
  }

  public void running(Pod pod) {
    setStatus(pod, new PodStatusBuilder().withPhase("Running").withPodIP("127.0.0.1").build());
  }

  public void succeeded(Pod pod) {
    terminated(pod, "Succeeded", 0, "Completed", "{\"evalValue\": 0.86}");
  }

  public void failed(Pod pod, int exitCode, String reason, String message) {
    terminated(pod, "Failed", exitCode, reason, message);
  }

  public void evicted(Pod pod) {
    setStatus(pod, new PodStatusBuilder().withPhase("Failed").withReason("Evicted")
        .withMessage("The node was low on resource: memory.").build());
  }

  private void terminated(Pod pod, String phase, int exitCode, String reason, String message) {
    setStatus(pod, new PodStatusBuilder().withPhase(phase).withContainerStatuses(new ContainerStatusBuilder()
        .withName("trainer").withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode)
            .withReason(reason).withMessage(message).endTerminated().build()).build()).build());
  }

  public void setStatus(Pod pod, PodStatus status) {
    Pod current = client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).get();
    current.setStatus(status);
    client.pods().inNamespace(NAMESPACE).resource(current).updateStatus();
  }

  public KubernetesClient client() {
    return client;
  }
}
