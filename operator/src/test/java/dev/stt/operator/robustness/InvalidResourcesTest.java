package dev.stt.operator.robustness;

import dev.stt.operator.Trainings;

import static dev.stt.operator.robustness.InvalidCorpusTest.namesField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stt.api.v1alpha1.Phase;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.validation.CrdValidator;
import dev.stt.operator.reconciler.OperatorHarness;
import dev.stt.operator.robustness.InvalidCorpus.Case;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The corpus of invalid resources applied all at once to the mock API server (which validates nothing) with the real
 * operator running: each rejected with a Valid=False condition naming the field, phase Failed, a Warning event, and
 * no pods, Services or ConfigMaps; resources applied before and after them still run to the end. Cases of the wrong
 * type, unknown enum values and unknown fields are left out: the API server rejects them, and the typed model the
 * operator reads could not hold them (see the disabled test below).
 */
@EnableKubernetesMockClient(crud = true)
class InvalidResourcesTest {
  KubernetesClient client;

  @Test
  void theOperatorRejectsEveryCaseNamingTheFieldAndKeepsReconcilingTheOthers() {
    List<Case> cases = InvalidCorpusTest.CORPUS.stream().filter(c -> c.kind().typedModelCanHoldIt()).toList();
    try (var harness = new OperatorHarness(client).start()) {
      var generic = client.genericKubernetesResources(SentenceTransformerTraining.GROUP + "/"
          + SentenceTransformerTraining.VERSION, SentenceTransformerTraining.KIND).inNamespace("ml");
      harness.apply(Trainings.training("healthy-before", "resources: {workers: 2}"));
      for (Case c : cases) {
        generic.resource(client.getKubernetesSerialization().convertValue(c.resource(),
            GenericKubernetesResource.class)).create();
      }
      harness.apply(Trainings.training("healthy-after", "resources: {workers: 2}"));

      Map<String, Case> byName = cases.stream().collect(Collectors.toMap(Case::name, Function.identity()));
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
        Map<String, String> notFailed = new TreeMap<>();
        harness.trainings().inNamespace("ml").list().getItems().stream()
            .filter(t -> byName.containsKey(t.getMetadata().getName()))
            .filter(t -> t.getStatus() == null || t.getStatus().phase != Phase.Failed)
            .forEach(t -> notFailed.put(t.getMetadata().getName() + " (" + byName.get(t.getMetadata().getName())
                + ")", t.getStatus() == null ? "no status" : t.getStatus().phase + ": " + t.getStatus().message));
        assertThat(notFailed).as("resources not Failed").isEmpty();
      });

      SoftAssertions softly = new SoftAssertions();
      for (SentenceTransformerTraining t : harness.trainings().inNamespace("ml").list().getItems()) {
        Case c = byName.get(t.getMetadata().getName());
        if (c == null) {
          continue;
        }
        Condition valid = Runs.condition(t, "Valid").orElseThrow();
        softly.assertThat(valid.getStatus()).as("Valid of %s", c).isEqualTo("False");
        softly.assertThat(valid.getReason()).as("reason of %s", c).isEqualTo("InvalidSpec");
        softly.assertThat(namesField(valid.getMessage(), c.field())).as("%s: Valid names %s: %s", c, c.field(),
            valid.getMessage()).isTrue();
        softly.assertThat(t.getStatus().message).as("message of %s", c).contains(c.field());
        softly.assertThat(t.getStatus().startTime).as("startTime of %s", c).isNull();
      }
      softly.assertAll();

      // Nothing was created for any of them.
      List<HasMetadata> objects = Stream.<HasMetadata>concat(Stream.concat(
          client.pods().inNamespace("ml").list().getItems().stream(),
          client.services().inNamespace("ml").list().getItems().stream()),
          client.configMaps().inNamespace("ml").list().getItems().stream()).toList();
      assertThat(objects).noneMatch(o -> o.getMetadata().getOwnerReferences().stream()
          .anyMatch(ref -> byName.containsKey(ref.getName())));
      assertThat(objects).extracting(o -> o.getMetadata().getName())
          .noneMatch(n -> n.startsWith("bad-"));
      // Each got its Warning event.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events().inNamespace("ml")
          .list().getItems().stream().filter(e -> "InvalidSpec".equals(e.getReason()))
          .map(e -> e.getInvolvedObject().getName()).collect(Collectors.toSet())).containsAll(byName.keySet()));

      // The healthy resources applied around them run to the end.
      for (String healthy : List.of("healthy-before", "healthy-after")) {
        List<Pod> pods = harness.awaitPods(healthy, 2, 0);
        pods.forEach(harness::running);
        harness.awaitStatus(healthy, t -> t.getStatus().phase == Phase.Running);
        pods.forEach(harness::succeeded);
        harness.awaitStatus(healthy, t -> t.getStatus().phase == Phase.Succeeded);
      }
    }
  }

  @Test
  void numbersBeyondTheModelsRangeCannotBeStored() {
    var huge = InvalidCorpus.base();
    InvalidCorpus.put(huge, "spec.training.evalSteps", InvalidCorpus.yaml("3000000000"));
    assertThat(CrdValidator.bundled().validate(huge)).as("the API server refuses it")
        .anySatisfy(p -> assertThat(p.field()).isEqualTo("spec.training.evalSteps"));
  }

  @Test
  void aResourceWrittenForANewerCrdDoesNotStopTheOperator() {
    try (var harness = new OperatorHarness(client).start()) {
      var generic = client.genericKubernetesResources(SentenceTransformerTraining.GROUP + "/"
          + SentenceTransformerTraining.VERSION, SentenceTransformerTraining.KIND).inNamespace("ml");
      // Version skew: a field and an enum value this operator does not know.
      var newer = InvalidCorpus.base();
      InvalidCorpus.put(newer, "spec.recipe", InvalidCorpus.yaml("retrieval"));
      InvalidCorpus.put(newer, "spec.futureField", InvalidCorpus.yaml("x"));
      ((ObjectNode) newer.get("metadata")).put("name", "from-the-future");
      generic.resource(client.getKubernetesSerialization().convertValue(newer, GenericKubernetesResource.class))
          .create();
      harness.apply(Trainings.training("healthy", ""));
      harness.awaitPods("healthy", 1, 0);
      assertThat(harness.operator().healthy()).isTrue();
      // And the unreadable part is reported rather than ignored.
      var reported = harness.awaitStatus("from-the-future", t -> t.getStatus().phase == Phase.Failed);
      assertThat(reported.getStatus().message).contains("spec.recipe");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events().inNamespace("ml")
          .list().getItems()).extracting(Event::getInvolvedObject)
          .anyMatch(o -> "from-the-future".equals(o.getName())));
    }
  }

}
