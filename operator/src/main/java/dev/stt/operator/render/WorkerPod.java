package dev.stt.operator.render;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SchedulingSpec;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.v1alpha1.SentenceTransformerTrainingSpec;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker: a pod on one node that requests its Gaudi cards and runs the bundled trainer's launcher, which starts
 * one rank per card. The operator owns restarts (restartPolicy Never) so that all workers restart together.
 */
public final class WorkerPod {
  public static final String CONTAINER = "trainer";
  public static final List<String> COMMAND =
      List.of("python", "-m", "stt_trainer.launch", "--config", TrainConfig.MOUNT_DIR + "/" + TrainConfig.FILE);
  public static final String OUTPUT_MOUNT = "/output";
  public static final String CACHE_MOUNT = "/cache";
  public static final String SHM_MOUNT = "/dev/shm";
  public static final String HF_TOKEN_KEY = "token";
  /** Time for the trainer to finish writing a checkpoint after SIGTERM. */
  static final long TERMINATION_GRACE_SECONDS = 120;

  private WorkerPod() {}

  public static Pod desired(SentenceTransformerTraining training, Plan plan, int index, int attempt, String image) {
    SentenceTransformerTrainingSpec spec = training.getSpec();
    String name = training.getMetadata().getName();
    String podName = ObjectNames.workerPod(name, index);
    boolean multiNode = plan.topology().workers() > 1;

    Map<String, String> labels = new LinkedHashMap<>(Labels.common(training));
    labels.putAll(Labels.workerSelector(training));
    labels.put(Labels.WORKER_INDEX, String.valueOf(index));
    labels.put(Labels.ATTEMPT, String.valueOf(attempt));
    Map<String, String> annotations = new LinkedHashMap<>();
    SchedulingSpec scheduling = spec.scheduling == null ? new SchedulingSpec() : spec.scheduling;
    if (scheduling.queueName != null) {
      // Kueue admits plain pods of one group together; each attempt is a new group.
      labels.put(Labels.KUEUE_QUEUE, scheduling.queueName);
      labels.put(Labels.KUEUE_POD_GROUP, ObjectNames.fit(ObjectNames.labelValue(name), "-" + attempt,
          ObjectNames.DNS_LABEL_MAX));
      annotations.put(Labels.KUEUE_POD_GROUP_COUNT, String.valueOf(plan.topology().workers()));
    }

    var meta = Owned.meta(training, podName, labels);
    if (!annotations.isEmpty()) {
      meta.setAnnotations(annotations);
    }

    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put(plan.resources().hpuResourceName(), new Quantity(String.valueOf(plan.topology().cards())));
    resources.put("cpu", new Quantity(plan.resources().cpu()));
    resources.put("memory", new Quantity(plan.resources().memory()));
    resources.put("hugepages-2Mi", new Quantity(plan.resources().hugepages2Mi()));

    var container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(spec.image != null && !spec.image.isEmpty() ? spec.image : image)
        .withImagePullPolicy(plan.imagePullPolicy().value())
        .withCommand(COMMAND)
        .withEnv(env(training, plan, index))
        .addNewPort().withName("rendezvous").withContainerPort(TrainConfig.MASTER_PORT).endPort()
        .addNewPort().withName("progress").withContainerPort(TrainConfig.PROGRESS_PORT).endPort()
        .withResources(new ResourceRequirementsBuilder().withRequests(resources).withLimits(resources).build())
        .withNewSecurityContext()
          .withPrivileged(false)
          .withAllowPrivilegeEscalation(false)
          .withNewCapabilities().addToAdd("SYS_NICE").endCapabilities()
        .endSecurityContext()
        .withVolumeMounts(mounts(spec, plan))
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();

    var podSpec = new PodSpecBuilder()
        .withRestartPolicy("Never")
        .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
        .withContainers(container)
        .withVolumes(volumes(training, plan))
        .withServiceAccountName(emptyToNull(spec.serviceAccountName))
        .withImagePullSecrets(spec.imagePullSecrets)
        .withNodeSelector(scheduling.nodeSelector)
        .withTolerations(scheduling.tolerations)
        .withAffinity(scheduling.affinity)
        .withPriorityClassName(emptyToNull(scheduling.priorityClassName))
        .withSchedulerName(emptyToNull(scheduling.schedulerName));
    if (plan.resources().hostIPC()) {
      podSpec.withHostIPC(true);
    }
    if (multiNode) {
      podSpec.withHostname(podName).withSubdomain(ObjectNames.rendezvousService(name));
    }
    return new PodBuilder().withMetadata(meta).withSpec(podSpec.build()).build();
  }

  private static List<EnvVar> env(SentenceTransformerTraining training, Plan plan, int index) {
    List<EnvVar> env = new ArrayList<>();
    env.add(plain("STT_WORKER_INDEX", String.valueOf(index)));
    env.add(plain("STT_NUM_WORKERS", String.valueOf(plan.topology().workers())));
    env.add(plain("STT_CARDS_PER_WORKER", String.valueOf(plan.topology().cards())));
    env.add(plain("MASTER_ADDR", plan.topology().workers() > 1 ? RendezvousService.hostOf(training, 0) : "localhost"));
    env.add(plain("MASTER_PORT", String.valueOf(TrainConfig.MASTER_PORT)));
    // Explicit either way: Gaudi releases changed the default from lazy (1) to eager (0).
    env.add(plain("PT_HPU_LAZY_MODE", plan.training().lazyMode() ? "1" : "0"));
    SentenceTransformerTrainingSpec spec = training.getSpec();
    if (spec.cache != null) {
      env.add(plain("HF_HOME", CACHE_MOUNT));
    }
    if (spec.hfTokenSecretRef != null) {
      String key = spec.hfTokenSecretRef.key == null ? HF_TOKEN_KEY : spec.hfTokenSecretRef.key;
      env.add(new EnvVarBuilder().withName("HF_TOKEN").withNewValueFrom().withNewSecretKeyRef()
          .withName(spec.hfTokenSecretRef.name).withKey(key).endSecretKeyRef().endValueFrom().build());
    }
    if (spec.env != null) {
      env.addAll(spec.env);
    }
    return env;
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVar(name, value, null);
  }

  private static List<VolumeMount> mounts(SentenceTransformerTrainingSpec spec, Plan plan) {
    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(new VolumeMountBuilder().withName("config").withMountPath(TrainConfig.MOUNT_DIR).withReadOnly(true)
        .build());
    mounts.add(new VolumeMountBuilder().withName("output").withMountPath(OUTPUT_MOUNT).build());
    if (spec.cache != null) {
      mounts.add(new VolumeMountBuilder().withName("cache").withMountPath(CACHE_MOUNT).build());
    }
    if (!plan.resources().hostIPC()) {
      mounts.add(new VolumeMountBuilder().withName("dshm").withMountPath(SHM_MOUNT).build());
    }
    return mounts;
  }

  private static List<Volume> volumes(SentenceTransformerTraining training, Plan plan) {
    SentenceTransformerTrainingSpec spec = training.getSpec();
    List<Volume> volumes = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("config").withNewConfigMap()
        .withName(ObjectNames.configMap(training.getMetadata().getName())).endConfigMap().build());
    volumes.add(new VolumeBuilder().withName("output").withNewPersistentVolumeClaim()
        .withClaimName(spec.output.claimName).endPersistentVolumeClaim().build());
    if (spec.cache != null) {
      volumes.add(new VolumeBuilder().withName("cache").withNewPersistentVolumeClaim()
          .withClaimName(spec.cache.claimName).endPersistentVolumeClaim().build());
    }
    if (!plan.resources().hostIPC()) {
      volumes.add(new VolumeBuilder().withName("dshm").withNewEmptyDir().withMedium("Memory")
          .withSizeLimit(new Quantity(plan.resources().sharedMemory())).endEmptyDir().build());
    }
    return volumes;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
