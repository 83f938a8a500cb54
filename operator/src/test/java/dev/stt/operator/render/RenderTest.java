package dev.stt.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.Trainings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each configuration of the upstream validation table, rendered exactly. */
class RenderTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = "registry.example/stt-trainer:1";

  /** What a configuration must come out as; written out by hand, not computed like the renderer does. */
  record Expected(String file, int workers, int cards, String cpu, String memory, String hugepages,
      String launcher, Integer zeroStage, List<String> loraTargets, boolean gradientCheckpointing, boolean hpuGraphs,
      double learningRate, int batchSize, int trainDatasets) {}

  static Stream<Arguments> configurations() {
    return Stream.of(
        new Expected("sts-mpnet-1card.yaml", 1, 1, "16", "128Gi", "4400Mi", "python", null, null, false, true,
            5e-5, 16, 1),
        new Expected("sts-mpnet-8cards.yaml", 1, 8, "128", "768Gi", "35200Mi", "torch.distributed.run", null, null,
            false, true, 5e-5, 16, 1),
        new Expected("nli-bert-1card.yaml", 1, 1, "16", "128Gi", "4400Mi", "python", null, null, false, true, 5e-5,
            16, 1),
        new Expected("nli-bert-8cards.yaml", 1, 8, "128", "768Gi", "35200Mi", "torch.distributed.run", null, null,
            false, true, 5e-5, 16, 1),
        new Expected("sts-e5-mistral-lora-1card.yaml", 1, 1, "16", "128Gi", "4400Mi", "python", null,
            List.of("q_proj", "k_proj", "v_proj"), true, true, 5e-5, 16, 1),
        new Expected("nli-e5-mistral-lora-1card.yaml", 1, 1, "16", "128Gi", "4400Mi", "python", null,
            List.of("q_proj", "k_proj", "v_proj"), true, true, 1e-5, 16, 1),
        new Expected("sts-e5-mistral-zero3-4cards.yaml", 1, 4, "64", "384Gi", "17600Mi", "deepspeed", 3, null,
            false, false, 1e-7, 16, 1),
        new Expected("nli-e5-mistral-zero3-4cards.yaml", 1, 4, "64", "384Gi", "17600Mi", "deepspeed", 3, null,
            false, false, 1e-7, 16, 1),
        new Expected("paraphrases-distilroberta-1card.yaml", 1, 1, "16", "128Gi", "4400Mi", "python", null, null,
            false, true, 5e-5, 128, 9),
        new Expected("sts-mpnet-2x8.yaml", 2, 8, "128", "768Gi", "35200Mi", "torch.distributed.run", null, null,
            false, true, 5e-5, 16, 1))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void rendersTheConfiguration(Expected e) throws Exception {
    SentenceTransformerTraining training = Trainings.example(e.file());
    training.getMetadata().setUid("0000-uid");
    Plan plan = Trainings.plan(training);
    List<HasMetadata> objects = TrainingRenderer.render(training, plan, IMAGE);
    String name = training.getMetadata().getName();

    List<Pod> pods = objects.stream().filter(Pod.class::isInstance).map(Pod.class::cast).toList();
    List<Service> services = objects.stream().filter(Service.class::isInstance).map(Service.class::cast).toList();
    ConfigMap config = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
        .findFirst().orElseThrow();
    assertThat(pods).hasSize(e.workers());
    assertThat(services).hasSize(e.workers() > 1 ? 1 : 0);
    assertThat(objects).hasSize(1 + services.size() + pods.size());

    for (int i = 0; i < pods.size(); i++) {
      Pod pod = pods.get(i);
      assertThat(pod.getMetadata().getName()).isEqualTo(name + "-worker-" + i);
      assertThat(pod.getMetadata().getNamespace()).isEqualTo("ml");
      assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "stt-operator")
          .containsEntry("stt.dev/training", name).containsEntry("stt.dev/worker-index", String.valueOf(i))
          .containsEntry("stt.dev/attempt", "0");
      assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo("0000-uid"));
      var spec = pod.getSpec();
      assertThat(spec.getRestartPolicy()).isEqualTo("Never");
      assertThat(spec.getHostIPC()).isNull();
      assertThat(spec.getContainers()).hasSize(1);
      Container c = spec.getContainers().get(0);
      assertThat(c.getImage()).isEqualTo(IMAGE);
      assertThat(c.getCommand()).containsExactly("python", "-m", "stt_trainer.launch", "--config",
          "/etc/stt/train.json");
      assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");

      Map<String, Quantity> expectedResources = Map.of("habana.ai/gaudi", new Quantity(String.valueOf(e.cards())),
          "cpu", new Quantity(e.cpu()), "memory", new Quantity(e.memory()), "hugepages-2Mi",
          new Quantity(e.hugepages()));
      assertThat(c.getResources().getLimits()).isEqualTo(expectedResources);
      assertThat(c.getResources().getRequests()).isEqualTo(expectedResources);

      assertThat(c.getSecurityContext().getPrivileged()).isFalse();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).containsExactly("SYS_NICE");

      String masterAddr = e.workers() > 1 ? name + "-worker-0." + name + "-workers.ml.svc" : "localhost";
      assertThat(c.getEnv()).extracting(EnvVar::getName).containsExactly("STT_WORKER_INDEX", "STT_NUM_WORKERS",
          "STT_CARDS_PER_WORKER", "MASTER_ADDR", "MASTER_PORT", "PT_HPU_LAZY_MODE");
      assertThat(c.getEnv()).extracting(EnvVar::getValue).containsExactly(String.valueOf(i),
          String.valueOf(e.workers()), String.valueOf(e.cards()), masterAddr, "29500", "1");

      assertThat(c.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
          .containsExactly("config:/etc/stt", "output:/output", "dshm:/dev/shm");
      assertThat(spec.getVolumes()).extracting(Volume::getName).containsExactly("config", "output", "dshm");
      assertThat(spec.getVolumes().get(0).getConfigMap().getName()).isEqualTo(name + "-config");
      assertThat(spec.getVolumes().get(1).getPersistentVolumeClaim().getClaimName()).isEqualTo("models");
      assertThat(spec.getVolumes().get(2).getEmptyDir().getMedium()).isEqualTo("Memory");
      assertThat(spec.getVolumes().get(2).getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("32Gi"));

      if (e.workers() > 1) {
        assertThat(spec.getHostname()).isEqualTo(name + "-worker-" + i);
        assertThat(spec.getSubdomain()).isEqualTo(name + "-workers");
      } else {
        assertThat(spec.getSubdomain()).isNull();
      }
    }
    if (e.workers() > 1) {
      Service svc = services.get(0);
      assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
      assertThat(svc.getSpec().getPublishNotReadyAddresses()).isTrue();
      assertThat(svc.getSpec().getSelector()).isEqualTo(Map.of("stt.dev/training", name, "stt.dev/role", "worker"));
      assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getLabels())
          .containsAllEntriesOf(svc.getSpec().getSelector()));
    }

    String trainJson = config.getData().get("train.json");
    assertThat(TrainConfigSchema.validate(trainJson)).isEmpty();
    JsonNode train = JSON.readTree(trainJson);
    assertThat(train.at("/recipe").asText()).isEqualTo(training.getSpec().recipe.value());
    assertThat(train.at("/model/name").asText()).isEqualTo(training.getSpec().model.name);
    assertThat(train.at("/bf16").asBoolean()).isEqualTo(Boolean.TRUE.equals(training.getSpec().bf16));
    assertThat(train.at("/distributed/workers").asInt()).isEqualTo(e.workers());
    assertThat(train.at("/distributed/cardsPerWorker").asInt()).isEqualTo(e.cards());
    assertThat(train.at("/distributed/worldSize").asInt()).isEqualTo(e.workers() * e.cards());
    assertThat(train.at("/distributed/launcher").asText()).isEqualTo(e.launcher());
    assertThat(train.at("/distributed/masterPort").asInt()).isEqualTo(29500);
    assertThat(train.at("/training/gradientCheckpointing").asBoolean()).isEqualTo(e.gradientCheckpointing());
    assertThat(train.at("/training/hpuGraphs").asBoolean()).isEqualTo(e.hpuGraphs());
    assertThat(train.at("/training/lazyMode").asBoolean()).isTrue();
    assertThat(train.at("/training/learningRate").asDouble()).isEqualTo(e.learningRate());
    assertThat(train.at("/training/batchSize").asInt()).isEqualTo(e.batchSize());
    assertThat(train.at("/output/dir").asText()).isEqualTo("/output/" + name);
    assertThat(train.at("/output/finalDir").asText()).isEqualTo("/output/" + name + "/final");
    assertThat(train.at("/output/mergedDir").asText()).isEqualTo("/output/" + name + "/merged");
    assertThat(train.at("/progress/port").asInt()).isEqualTo(8080);
    long trainSets = 0;
    for (JsonNode d : train.at("/datasets")) {
      trainSets += "train".equals(d.path("split").asText()) ? 1 : 0;
    }
    assertThat(trainSets).isEqualTo(e.trainDatasets());
    if (e.loraTargets() == null) {
      assertThat(train.at("/lora").toString()).isEqualTo("{\"enabled\":false}");
    } else {
      assertThat(train.at("/lora/enabled").asBoolean()).isTrue();
      assertThat(train.at("/lora/r").asInt()).isEqualTo(16);
      assertThat(train.at("/lora/alpha").asInt()).isEqualTo(64);
      assertThat(train.at("/lora/dropout").asDouble()).isEqualTo(0.05);
      assertThat(train.at("/lora/targetModules")).extracting(JsonNode::asText)
          .containsExactlyElementsOf(e.loraTargets());
    }

    if (e.zeroStage() == null) {
      assertThat(config.getData()).containsOnlyKeys("train.json");
      assertThat(train.has("deepspeed")).isFalse();
    } else {
      assertThat(config.getData()).containsOnlyKeys("train.json", "ds_config.json");
      assertThat(train.at("/deepspeed/zeroStage").asInt()).isEqualTo(e.zeroStage());
      assertThat(train.at("/deepspeed/config").asText()).isEqualTo("/etc/stt/ds_config.json");
      JsonNode ds = JSON.readTree(config.getData().get("ds_config.json"));
      assertThat(ds.at("/train_batch_size").asText()).isEqualTo("auto");
      assertThat(ds.at("/train_micro_batch_size_per_gpu").asText()).isEqualTo("auto");
      assertThat(ds.at("/gradient_accumulation_steps").asText()).isEqualTo("auto");
      assertThat(ds.at("/bf16/enabled").asBoolean()).isTrue();
      assertThat(ds.at("/gradient_clipping").asDouble()).isEqualTo(1.0);
      assertThat(ds.at("/zero_optimization").toString()).isEqualTo("{\"stage\":" + e.zeroStage()
          + ",\"overlap_comm\":false,\"reduce_scatter\":false,\"contiguous_gradients\":false"
          + (e.zeroStage() == 3 ? ",\"stage3_gather_16bit_weights_on_model_save\":true" : "") + "}");
      assertThat(train.at("/runId").asText()).isEqualTo("0000-uid");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.stt.operator.Trainings#examples")
  void everyExampleRendersATrainJsonThatMatchesItsSchema(Path file) {
    SentenceTransformerTraining training = Trainings.read(file);
    ConfigMap config = TrainConfigMap.desired(training, Trainings.plan(training));
    assertThat(TrainConfigSchema.validate(config.getData().get("train.json"))).isEmpty();
  }
}
