package dev.stt.operator.robustness;

import static dev.stt.operator.Trainings.training;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.render.Labels;
import dev.stt.operator.render.ObjectNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Resource names at the limits: a 253-character name (a valid DNS subdomain) must still run, and every name the
 * operator derives from it (pods, their host names, the Service, the ConfigMap, label values, Kueue's group label)
 * must be valid and distinct. The mock API server checks none of this, so the test does.
 */
@EnableKubernetesMockClient(crud = true)
class NameLimitsTest extends OperatorUnderFaults {
  private static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  private static final String RFC1035_LABEL = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
  private static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  private static final String LABEL_VALUE = "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$";
  private static final String QUALIFIED_NAME = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
      + "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$";

  /** 253 characters, dotted, starting with a digit (so the Service needs its letter prefix). */
  static final String LONGEST = "9" + "a".repeat(61) + "." + "b".repeat(62) + "." + "c".repeat(62) + "."
      + "d".repeat(64);
  /** Same first 200 characters as LONGEST: the derived names must still differ. */
  static final String LONGEST_TWIN = LONGEST.substring(0, 200) + "e".repeat(53);

  private List<Pod> awaitWorkers(String name, int count) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .until(() -> Runs.owned(client, name).stream().filter(Pod.class::isInstance).map(Pod.class::cast).toList(),
            pods -> pods.size() == count);
  }

  private static void assertLabels(SoftAssertions softly, HasMetadata o) {
    Map<String, String> labels = o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
    labels.forEach((k, v) -> {
      softly.assertThat(k).as("label key on %s", o.getMetadata().getName()).matches(QUALIFIED_NAME);
      softly.assertThat(v).as("label %s on %s", k, o.getMetadata().getName()).hasSizeLessThanOrEqualTo(63)
          .matches(LABEL_VALUE);
    });
  }

  @Test
  void theLongestNamesRunAndEveryDerivedNameIsValidAndDistinct() {
    assertThat(LONGEST).hasSize(253).matches(DNS_SUBDOMAIN);
    assertThat(LONGEST_TWIN).hasSize(253).matches(DNS_SUBDOMAIN);
    List<String> names = List.of(LONGEST, LONGEST_TWIN, "n".repeat(63), "n".repeat(64));
    for (String name : names) {
      harness.apply(training(name, "resources: {workers: 2}\nscheduling: {queueName: gaudi-queue}"));
    }
    SoftAssertions softly = new SoftAssertions();
    List<String> allPods = new ArrayList<>();
    List<String> allServices = new ArrayList<>();
    for (String name : names) {
      List<Pod> pods = awaitWorkers(name, 2);
      Service service = await().atMost(Duration.ofSeconds(10)).until(() -> Runs.owned(client, name).stream()
          .filter(Service.class::isInstance).map(Service.class::cast).findFirst().orElse(null), s -> s != null);
      ConfigMap config = client.configMaps().inNamespace("ml").withName(ObjectNames.configMap(name)).get();
      softly.assertThat(config).as("ConfigMap of %s", name).isNotNull();
      softly.assertThat(ObjectNames.configMap(name)).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN);
      softly.assertThat(service.getMetadata().getName()).as("Service of %s", name).hasSizeLessThanOrEqualTo(63)
          .matches(RFC1035_LABEL);
      allServices.add(service.getMetadata().getName());
      assertLabels(softly, service);
      // The Service selects exactly these workers.
      softly.assertThat(pods).allSatisfy(p -> assertThat(p.getMetadata().getLabels())
          .containsAllEntriesOf(service.getSpec().getSelector()));
      for (Pod pod : pods) {
        String podName = pod.getMetadata().getName();
        allPods.add(podName);
        softly.assertThat(podName).as("pod of %s", name).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL);
        softly.assertThat(pod.getSpec().getHostname()).isEqualTo(podName);
        softly.assertThat(pod.getSpec().getSubdomain()).isEqualTo(service.getMetadata().getName());
        softly.assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getConfigMap())
            .isNotNull().satisfies(c -> assertThat(c.getName()).isEqualTo(ObjectNames.configMap(name))));
        softly.assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.TRAINING, ObjectNames.labelValue(name))
            .containsKey(Labels.KUEUE_POD_GROUP);
        assertLabels(softly, pod);
        String master = pod.getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> "MASTER_ADDR".equals(e.getName())).map(EnvVar::getValue).findFirst().orElseThrow();
        softly.assertThat(master).as("MASTER_ADDR of %s", podName).startsWith(ObjectNames.workerPod(name, 0) + "."
            + service.getMetadata().getName() + ".").hasSizeLessThanOrEqualTo(253);
      }
    }
    softly.assertThat(allPods).doesNotHaveDuplicates().hasSize(2 * names.size());
    softly.assertThat(allServices).doesNotHaveDuplicates();
    softly.assertAll();

    // The longest one runs to the end.
    List<Pod> pods = awaitWorkers(LONGEST, 2);
    pods.forEach(harness::running);
    harness.awaitStatus(LONGEST, t -> t.getStatus().phase == Phase.Running);
    pods.forEach(harness::succeeded);
    var done = harness.awaitStatus(LONGEST, t -> t.getStatus().phase == Phase.Succeeded);
    assertThat(done.getStatus().output.path).isEqualTo(LONGEST);
    Runs.assertVolumesKeptAndNothingDeletedOutsidePolicy(client, api);
  }

  @Test
  void eventsOfTheLongestNameHaveValidNames() {
    harness.apply(training(LONGEST, ""));
    awaitWorkers(LONGEST, 1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(client.v1().events().inNamespace("ml")
        .list().getItems()).filteredOn(e -> LONGEST.equals(e.getInvolvedObject().getName())).isNotEmpty()
        .allSatisfy(e -> assertThat(e.getMetadata().getName()).hasSizeLessThanOrEqualTo(253).matches(DNS_SUBDOMAIN)));
  }

  @Test
  void namesThatDifferOnlyByDotsOrTheServicePrefixDoNotShareObjects() {
    List<String> names = List.of("team.a", "team-a", "1st-run", "w1st-run");
    for (String name : names) {
      harness.apply(training(name, "resources: {workers: 2}"));
    }
    for (String name : names) {
      List<Pod> pods = awaitWorkers(name, 2);
      pods.forEach(harness::running);
      SentenceTransformerTraining running = harness.awaitStatus(name, t -> t.getStatus().phase == Phase.Running);
      assertThat(Runs.restarts(running)).as("restarts of %s", name).isZero();
      assertThat(Runs.owned(client, name)).as("Service of %s", name).anyMatch(Service.class::isInstance);
    }
    assertThat(client.v1().events().inNamespace("ml").list().getItems()).extracting(Event::getReason)
        .doesNotContain("WorkerLost");
  }
}
