package dev.stt.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.Trainings;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.Test;

/** The optional parts of a worker: cache, token, hostIPC, scheduling, Kueue, extra env. */
class WorkerPodOptionsTest {
  private static final String FULL = """
      apiVersion: stt.dev/v1alpha1
      kind: SentenceTransformerTraining
      metadata: {name: opts, namespace: ml}
      spec:
        recipe: nli
        model: {name: bert-base-uncased}
        resources: {workers: 2, cards: 8, hostIPC: true, cpu: "100", memory: 900Gi}
        training: {lazyMode: false, hpuGraphs: false}
        image: my.registry/trainer:2
        imagePullPolicy: Always
        imagePullSecrets: [{name: pull}]
        serviceAccountName: trainer
        env: [{name: HCCL_SOCKET_IFNAME, value: eth0}, {name: HF_ENDPOINT, value: "https://mirror.example"}]
        hfTokenSecretRef: {name: hf-token}
        output: {claimName: models, path: runs/nli}
        cache: {claimName: hf-cache}
        scheduling:
          nodeSelector: {habana.ai/device.type: gaudi2}
          tolerations: [{key: habana.ai/gaudi, operator: Exists, effect: NoSchedule}]
          priorityClassName: training
          schedulerName: volcano
          queueName: gaudi-queue
      """;

  private static Pod worker(String yaml, int index, int attempt) {
    SentenceTransformerTraining training = Trainings.parse(yaml);
    return WorkerPod.desired(training, Trainings.plan(training), index, attempt, "default/image:1");
  }

  @Test
  void passesOptionsThrough() {
    Pod pod = worker(FULL, 1, 2);
    var spec = pod.getSpec();
    var c = spec.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("my.registry/trainer:2");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(spec.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("pull");
    assertThat(spec.getServiceAccountName()).isEqualTo("trainer");
    assertThat(spec.getNodeSelector()).containsEntry("habana.ai/device.type", "gaudi2");
    assertThat(spec.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo(
        "habana.ai/gaudi"));
    assertThat(spec.getPriorityClassName()).isEqualTo("training");
    assertThat(spec.getSchedulerName()).isEqualTo("volcano");
    assertThat(c.getResources().getLimits().get("cpu").toString()).isEqualTo("100");
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("900Gi");
  }

  @Test
  void hostIpcIsOptInAndReplacesTheShmVolume() {
    var spec = worker(FULL, 0, 0).getSpec();
    assertThat(spec.getHostIPC()).isTrue();
    assertThat(spec.getVolumes()).extracting(v -> v.getName()).containsExactly("config", "output", "cache");
    assertThat(spec.getContainers().get(0).getVolumeMounts()).extracting(m -> m.getMountPath())
        .containsExactly("/etc/stt", "/output", "/cache");
    assertThat(spec.getVolumes().get(2).getPersistentVolumeClaim().getClaimName()).isEqualTo("hf-cache");
  }

  @Test
  void secretsTravelOnlyByReferenceAndDevicePluginVariablesAreNeverSet() {
    var env = worker(FULL, 0, 0).getSpec().getContainers().get(0).getEnv();
    EnvVar token = env.stream().filter(e -> e.getName().equals("HF_TOKEN")).findFirst().orElseThrow();
    assertThat(token.getValue()).isNull();
    assertThat(token.getValueFrom().getSecretKeyRef().getName()).isEqualTo("hf-token");
    assertThat(token.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    assertThat(env).extracting(EnvVar::getName).doesNotContain("HABANA_VISIBLE_DEVICES", "HABANA_VISIBLE_MODULES",
        "HL_VISIBLE_DEVICES");
    assertThat(env).extracting(e -> e.getName() + "=" + e.getValue()).contains("HF_HOME=/cache",
        "PT_HPU_LAZY_MODE=0", "STT_WORKER_INDEX=0");
    // User env comes last, so it can tune HCCL but not displace the launch contract.
    assertThat(env.subList(env.size() - 2, env.size())).extracting(EnvVar::getName)
        .containsExactly("HCCL_SOCKET_IFNAME", "HF_ENDPOINT");
  }

  @Test
  void kueueGroupsTheWorkersOfOneAttempt() {
    Pod pod = worker(FULL, 1, 2);
    assertThat(pod.getMetadata().getLabels()).containsEntry("kueue.x-k8s.io/queue-name", "gaudi-queue")
        .containsEntry("kueue.x-k8s.io/pod-group-name", "opts-2");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("kueue.x-k8s.io/pod-group-total-count", "2");
    assertThat(worker(FULL.replace("queueName: gaudi-queue", "queueName: q2"), 0, 0).getMetadata().getLabels())
        .containsEntry("kueue.x-k8s.io/pod-group-name", "opts-0");
  }

  @Test
  void outputPathNamesTheRunDirectory() {
    SentenceTransformerTraining training = Trainings.parse(FULL);
    String json = TrainConfigMap.desired(training, Trainings.plan(training)).getData().get("train.json");
    assertThat(json).contains("\"dir\" : \"/output/runs/nli\"", "\"cacheDir\" : \"/cache\"");
    assertThat(json).doesNotContain("hf-token");
  }
}
