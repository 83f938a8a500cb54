package dev.stt.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.Trainings;
import dev.stt.operator.render.Labels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class TrainingLifecycleTest {
  KubernetesClient client;
  private OperatorHarness harness;

  @BeforeEach
  void start() {
    harness = new OperatorHarness(client).start();
  }

  @AfterEach
  void stop() {
    harness.close();
  }


  private static Condition condition(SentenceTransformerTraining t, String type) {
    return t.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow();
  }

  private List<Event> events(String name) {
    return client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  @Test
  void runsToSuccessAndKeepsStatusTrue() {
    harness.apply(Trainings.training("ok", "resources: {cards: 8, workers: 2}"));
    List<Pod> pods = harness.awaitPods("ok", 2, 0);
    var pending = harness.awaitStatus("ok", t -> t.getStatus().phase == Phase.Pending);
    assertThat(pending.getStatus().observedGeneration).isEqualTo(pending.getMetadata().getGeneration());
    assertThat(pending.getStatus().plan.topology).isEqualTo("2x8");
    assertThat(pending.getStatus().plan.worldSize).isEqualTo(16);
    assertThat(pending.getStatus().startTime).isNotNull();
    assertThat(condition(pending, "Valid").getStatus()).isEqualTo("True");
    assertThat(condition(pending, "Created").getStatus()).isEqualTo("True");
    assertThat(client.configMaps().inNamespace("ml").withName("ok-config").get().getData())
        .containsKey("train.json");
    assertThat(client.services().inNamespace("ml").withName("ok-workers").get().getSpec().getClusterIP())
        .isEqualTo("None");

    harness.running(pods.get(0));
    var stillPending = harness.awaitStatus("ok", t -> t.getStatus().workers.ready == 1);
    assertThat(stillPending.getStatus().phase).isEqualTo(Phase.Pending);
    harness.running(pods.get(1));
    var running = harness.awaitStatus("ok", t -> t.getStatus().phase == Phase.Running);
    String validSince = condition(running, "Valid").getLastTransitionTime();
    assertThat(running.getStatus().workers.ready).isEqualTo(2);

    harness.succeeded(pods.get(0));
    harness.succeeded(pods.get(1));
    var done = harness.awaitStatus("ok", t -> t.getStatus().phase == Phase.Succeeded);
    assertThat(done.getStatus().completionTime).isNotNull();
    assertThat(done.getStatus().restarts).isNull();
    assertThat(condition(done, "Succeeded").getStatus()).isEqualTo("True");
    assertThat(condition(done, "Running").getStatus()).isEqualTo("False");
    assertThat(condition(done, "Valid").getLastTransitionTime()).isEqualTo(validSince);
    assertThat(done.getStatus().conditions).extracting(Condition::getType).doesNotHaveDuplicates();
    assertThat(done.getStatus().message).contains("models", "ok/final");
    // cleanPodPolicy Running (default): finished pods keep their logs.
    assertThat(harness.pods("ok")).hasSize(2);
    await().untilAsserted(() -> assertThat(events("ok")).extracting(Event::getReason)
        .contains("WorkersCreated", "Running", "Completed"));
  }

  @Test
  void createsExactlyWhatRenderShows() {
    var applied = harness.apply(Trainings.example("sts-mpnet-2x8.yaml"));
    List<Pod> pods = harness.awaitPods("sts-mpnet-2x8", 2, 0);
    var stored = harness.get("sts-mpnet-2x8");
    var rendered = dev.stt.operator.render.TrainingRenderer.render(stored, Trainings.plan(stored),
        OperatorHarness.IMAGE);
    assertThat(rendered.stream().filter(Pod.class::isInstance).map(p -> Serialization.asJson(((Pod) p).getSpec())))
        .containsExactlyElementsOf(pods.stream().map(p -> Serialization.asJson(p.getSpec())).toList());
    assertThat(client.configMaps().inNamespace("ml").withName("sts-mpnet-2x8-config").get().getData())
        .isEqualTo(((ConfigMap) rendered.get(0)).getData());
    assertThat(applied.getMetadata().getUid()).isEqualTo(stored.getMetadata().getUid());
  }

  @Test
  void statusIsWrittenOnlyWhenSomethingChanged() {
    harness.apply(Trainings.training("idle", ""));
    List<Pod> pods = harness.awaitPods("idle", 1, 0);
    harness.running(pods.get(0));
    var running = harness.awaitStatus("idle", t -> t.getStatus().phase == Phase.Running);
    String version = running.getMetadata().getResourceVersion();
    // A pod event that changes nothing the status shows.
    Pod pod = client.pods().inNamespace("ml").withName(pods.get(0).getMetadata().getName()).get();
    pod.getMetadata().getAnnotations().put("touched", "1");
    client.pods().inNamespace("ml").resource(pod).update();
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(harness.get("idle").getMetadata().getResourceVersion()).isEqualTo(version);
      assertThat(harness.pods("idle")).hasSize(1);
    });
  }

  @Test
  void workerFailureRestartsTheWholeGang() {
    harness.apply(Trainings.training("gang", "resources: {cards: 8, workers: 2}\nrunPolicy: {backoffLimit: 2}"));
    List<Pod> first = harness.awaitPods("gang", 2, 0);
    first.forEach(harness::running);
    harness.awaitStatus("gang", t -> t.getStatus().phase == Phase.Running);

    harness.failed(first.get(1), 1, "Error", "RuntimeError: HCCL timeout");
    var restarting = harness.awaitStatus("gang", t -> t.getStatus().restarts != null && t.getStatus().restarts == 1);
    assertThat(restarting.getStatus().phase).isIn(Phase.Restarting, Phase.Pending);
    assertThat(restarting.getStatus().message).contains("gang-worker-1", "HCCL timeout");
    // The mock server has no kubelet: pods deleted by the operator are gone at once, and the next attempt appears.
    List<Pod> second = harness.awaitPods("gang", 2, 1);
    assertThat(second).extracting(p -> p.getMetadata().getName())
        .containsExactly("gang-worker-0", "gang-worker-1");
    second.forEach(harness::running);
    var running = harness.awaitStatus("gang", t -> t.getStatus().phase == Phase.Running);
    assertThat(running.getStatus().restarts).isEqualTo(1);
    await().untilAsserted(() -> assertThat(events("gang")).anyMatch(e -> "Warning".equals(e.getType())
        && "Error".equals(e.getReason()) && e.getMessage().contains("restart 1/2")));
  }

  @Test
  void exhaustedBackoffFailsTheRun() {
    harness.apply(Trainings.training("flaky", "runPolicy: {backoffLimit: 1}"));
    harness.failed(harness.awaitPods("flaky", 1, 0).get(0), 1, "Error", "boom");
    harness.failed(harness.awaitPods("flaky", 1, 1).get(0), 1, "Error", "boom again");
    var failed = harness.awaitStatus("flaky", t -> t.getStatus().phase == Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(failed.getStatus().restarts).isEqualTo(1);
    assertThat(failed.getStatus().message).contains("boom again", "backoffLimit 1");
    assertThat(failed.getStatus().completionTime).isNotNull();
    // The failed pod keeps its logs; no new attempt is started.
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .untilAsserted(() -> assertThat(harness.pods("flaky")).hasSize(1));
  }

  @Test
  void oomKilledIsReportedAsSuch() {
    harness.apply(Trainings.training("oom", "runPolicy: {backoffLimit: 0}"));
    harness.failed(harness.awaitPods("oom", 1, 0).get(0), 137, "OOMKilled", null);
    var failed = harness.awaitStatus("oom", t -> t.getStatus().phase == Phase.Failed);
    assertThat(failed.getStatus().message).contains("OOMKilled", "exit code 137");
    assertThat(condition(failed, "Running").getReason()).isEqualTo("BackoffLimitExceeded");
  }

  @Test
  void evictionCountsAsAFailureAndRestarts() {
    harness.apply(Trainings.training("evicted", ""));
    harness.evicted(harness.awaitPods("evicted", 1, 0).get(0));
    var restarted = harness.awaitStatus("evicted", t -> t.getStatus().restarts != null);
    assertThat(restarted.getStatus().message).contains("Evicted", "low on resource");
    harness.awaitPods("evicted", 1, 1);
  }

  @Test
  void invalidConfigurationExitCodeFailsWithoutRetry() {
    harness.apply(Trainings.training("badcfg", "runPolicy: {backoffLimit: 5}"));
    harness.failed(harness.awaitPods("badcfg", 1, 0).get(0), 2, "Error",
        "{\"error\": \"train.json: training.batchSize must be an integer\"}");
    var failed = harness.awaitStatus("badcfg", t -> t.getStatus().phase == Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("InvalidConfiguration");
    assertThat(failed.getStatus().message).contains("training.batchSize");
    assertThat(failed.getStatus().restarts).isNull();
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .untilAsserted(() -> assertThat(harness.pods("badcfg")).hasSize(1));
  }

  @Test
  void deletedWorkerIsLostAndRestarts() {
    harness.apply(Trainings.training("lost", ""));
    Pod pod = harness.awaitPods("lost", 1, 0).get(0);
    harness.running(pod);
    harness.awaitStatus("lost", t -> t.getStatus().phase == Phase.Running);
    client.pods().inNamespace("ml").withName(pod.getMetadata().getName()).delete();
    var restarted = harness.awaitStatus("lost", t -> t.getStatus().restarts != null);
    assertThat(restarted.getStatus().message).contains("WorkerLost");
    harness.awaitPods("lost", 1, 1);
  }

  @Test
  void deadlineFailsTheRunAndStopsRunningWorkers() {
    harness.apply(Trainings.training("slow", "runPolicy: {activeDeadlineSeconds: 1, cleanPodPolicy: None}"));
    harness.running(harness.awaitPods("slow", 1, 0).get(0));
    var failed = harness.awaitStatus("slow", t -> t.getStatus().phase == Phase.Failed);
    assertThat(condition(failed, "Failed").getReason()).isEqualTo("DeadlineExceeded");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(harness.pods("slow")).isEmpty());
  }

  @Test
  void suspendDeletesWorkersAndResumeRecreatesThem() {
    harness.apply(Trainings.training("pause", ""));
    harness.running(harness.awaitPods("pause", 1, 0).get(0));
    harness.awaitStatus("pause", t -> t.getStatus().phase == Phase.Running);

    harness.trainings().inNamespace("ml").withName("pause").edit(t -> {
      t.getSpec().runPolicy = new dev.stt.api.v1alpha1.RunPolicy();
      t.getSpec().runPolicy.suspend = true;
      return t;
    });
    var suspended = harness.awaitStatus("pause", t -> t.getStatus().phase == Phase.Suspended);
    assertThat(condition(suspended, "Suspended").getStatus()).isEqualTo("True");
    await().untilAsserted(() -> assertThat(harness.pods("pause")).isEmpty());

    harness.trainings().inNamespace("ml").withName("pause").edit(t -> {
      t.getSpec().runPolicy.suspend = false;
      return t;
    });
    harness.awaitPods("pause", 1, 0);
    var resumed = harness.awaitStatus("pause", t -> t.getStatus().phase == Phase.Pending);
    assertThat(condition(resumed, "Suspended").getStatus()).isEqualTo("False");
    assertThat(resumed.getStatus().restarts).isNull();
  }

  @Test
  void ttlDeletesTheResourceButNeverTheVolumes() {
    harness.apply(Trainings.training("ttl", "runPolicy: {ttlSecondsAfterFinished: 1}"));
    harness.succeeded(harness.awaitPods("ttl", 1, 0).get(0));
    harness.awaitStatus("ttl", t -> t.getStatus().phase == Phase.Succeeded);
    await().atMost(Duration.ofSeconds(10)).until(() -> harness.get("ttl") == null);
    assertThat(client.persistentVolumeClaims().inNamespace("ml").withName("models").get()).isNotNull();
  }

  @Test
  void ownedObjectsAreDeletedWithTheResourceThroughOwnerReferences() {
    var created = harness.apply(Trainings.training("owned", "resources: {workers: 2}"));
    harness.awaitPods("owned", 2, 0);
    String uid = harness.get("owned").getMetadata().getUid();
    List<HasMetadata> owned = Stream.<HasMetadata>concat(Stream.concat(harness.pods("owned").stream(),
        Stream.of(client.configMaps().inNamespace("ml").withName("owned-config").get())),
        Stream.of(client.services().inNamespace("ml").withName("owned-workers").get())).toList();
    assertThat(owned).hasSize(4).allSatisfy(o -> {
      assertThat(o.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
        assertThat(ref.getUid()).isEqualTo(uid);
        assertThat(ref.getController()).isTrue();
        assertThat(ref.getKind()).isEqualTo("SentenceTransformerTraining");
      });
      assertThat(o.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY_KEY, Labels.MANAGED_BY_VALUE);
    });
    assertThat(created).isNotNull();
  }

  @Test
  void invalidResourceGetsAnErrorAndNoPods() {
    harness.apply(Trainings.parse("""
        apiVersion: stt.dev/v1alpha1
        kind: SentenceTransformerTraining
        metadata: {name: e5-full, namespace: ml}
        spec:
          recipe: sts
          model: {name: intfloat/e5-mistral-7b-instruct}
          bf16: true
          output: {claimName: models}
        """));
    var failed = harness.awaitStatus("e5-full", t -> t.getStatus().phase == Phase.Failed);
    Condition valid = condition(failed, "Valid");
    assertThat(valid.getStatus()).isEqualTo("False");
    assertThat(valid.getReason()).isEqualTo("InvalidSpec");
    assertThat(valid.getMessage()).contains("spec.resources.hbmGiB", "enable lora", "zeroStage: 3");
    assertThat(failed.getStatus().startTime).isNull();
    await().untilAsserted(() -> assertThat(events("e5-full")).anyMatch(e -> "Warning".equals(e.getType())
        && "InvalidSpec".equals(e.getReason())));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
      assertThat(harness.pods("e5-full")).isEmpty();
      assertThat(client.configMaps().inNamespace("ml").withName("e5-full-config").get()).isNull();
    });

    // Fixing the spec before any run started is allowed, and the run starts.
    harness.trainings().inNamespace("ml").withName("e5-full").edit(t -> {
      t.getSpec().lora = new dev.stt.api.v1alpha1.LoraSpec();
      t.getSpec().lora.enabled = true;
      return t;
    });
    harness.awaitPods("e5-full", 1, 0);
    var fixed = harness.awaitStatus("e5-full", t -> t.getStatus().phase == Phase.Pending);
    assertThat(condition(fixed, "Valid").getStatus()).isEqualTo("True");
    assertThat(fixed.getStatus().plan.loraTargetModules).containsExactly("q_proj", "k_proj", "v_proj");
  }

  @Test
  void restartedOperatorAdoptsPodsWithoutDuplicatesAndKeepsStatus() {
    harness.apply(Trainings.training("adopt", "resources: {workers: 2}"));
    List<Pod> pods = harness.awaitPods("adopt", 2, 0);
    pods.forEach(harness::running);
    var before = harness.awaitStatus("adopt", t -> t.getStatus().phase == Phase.Running);

    harness.stop();
    harness.start();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(harness.pods("adopt")).extracting(p -> p.getMetadata().getUid())
          .containsExactlyInAnyOrderElementsOf(pods.stream().map(p -> p.getMetadata().getUid()).toList());
      var after = harness.get("adopt");
      assertThat(after.getStatus().phase).isEqualTo(Phase.Running);
      assertThat(after.getStatus().startTime).isEqualTo(before.getStatus().startTime);
      assertThat(after.getStatus().conditions).hasSameSizeAs(before.getStatus().conditions);
    });

    // Restarted again in the middle of a gang restart: the count stays exact.
    harness.failed(pods.get(0), 1, "Error", "x");
    harness.awaitPods("adopt", 2, 1);
    harness.stop();
    harness.start();
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(harness.pods("adopt")).hasSize(2);
      assertThat(harness.get("adopt").getStatus().restarts).isEqualTo(1);
    });
  }

  @Test
  void missingVolumeKeepsTheRunPendingUntilItExists() {
    var claim = client.persistentVolumeClaims().inNamespace("ml").withName("hf-cache").get();
    client.persistentVolumeClaims().inNamespace("ml").withName("hf-cache").delete();
    harness.apply(Trainings.example("nli-e5-mistral-cache-token.yaml"));
    var waiting = harness.awaitStatus("nli-e5-mistral-cache-token", t -> t.getStatus().phase == Phase.Pending);
    assertThat(condition(waiting, "Created").getReason()).isEqualTo("VolumeNotFound");
    assertThat(waiting.getStatus().message).contains("PersistentVolumeClaim hf-cache", "examples/pvc.yaml");
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .untilAsserted(() -> assertThat(harness.pods("nli-e5-mistral-cache-token")).isEmpty());

    claim.getMetadata().setResourceVersion(null);
    client.persistentVolumeClaims().inNamespace("ml").resource(claim).create();
    harness.awaitPods("nli-e5-mistral-cache-token", 1, 0);
    assertThat(harness.get("nli-e5-mistral-cache-token").getStatus().startTime).isNotNull();
  }

  @Test
  void deletedConfigMapIsRecreated() {
    harness.apply(Trainings.training("cfg", ""));
    harness.awaitPods("cfg", 1, 0);
    ConfigMap original = client.configMaps().inNamespace("ml").withName("cfg-config").get();
    client.configMaps().inNamespace("ml").withName("cfg-config").delete();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        client.configMaps().inNamespace("ml").withName("cfg-config").get()).isNotNull()
        .satisfies(c -> assertThat(c.getData()).isEqualTo(original.getData())));
  }
}
