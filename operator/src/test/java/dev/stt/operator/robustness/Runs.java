package dev.stt.operator.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.Trainings;
import dev.stt.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Resources, conditions and the invariants every fault test checks. */
final class Runs {
  private Runs() {}

  /** A valid all-mpnet-base-v2 STS run (as examples/sts-mpnet-1card.yaml) with extra spec lines. */

  static Optional<Condition> condition(SentenceTransformerTraining t, String type) {
    return t.getStatus() == null || t.getStatus().conditions == null ? Optional.empty()
        : t.getStatus().conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static String conditionStatus(SentenceTransformerTraining t, String type) {
    return condition(t, type).map(Condition::getStatus).orElse(null);
  }

  static int restarts(SentenceTransformerTraining t) {
    return t.getStatus() == null || t.getStatus().restarts == null ? 0 : t.getStatus().restarts;
  }

  /** Pods, Services and ConfigMaps whose controller is the training of that name. */
  static List<HasMetadata> owned(KubernetesClient client, String training) {
    return Stream.<HasMetadata>concat(Stream.concat(
        client.pods().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream(),
        client.services().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()),
        client.configMaps().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream())
        .filter(o -> o.getMetadata().getOwnerReferences() != null && o.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> training.equals(r.getName())))
        .toList();
  }

  /**
   * The invariant of every fault test: the output and cache volumes still exist and nobody asked to delete them, and
   * the operator never deleted a ConfigMap or Service (owned objects go only through owner references).
   */
  static void assertVolumesKeptAndNothingDeletedOutsidePolicy(KubernetesClient client, MockApi api) {
    for (String claim : OperatorHarness.CLAIMS) {
      assertThat(client.persistentVolumeClaims().inNamespace(OperatorHarness.NAMESPACE).withName(claim).get())
          .as("PersistentVolumeClaim %s", claim).isNotNull();
    }
    assertThat(api.requests()).filteredOn(r -> r.startsWith("DELETE "))
        .noneMatch(r -> r.contains("/persistentvolumeclaims"))
        .noneMatch(r -> r.contains("/configmaps"))
        .noneMatch(r -> r.contains("/services"))
        .noneMatch(r -> r.contains("/sentencetransformertrainings"));
  }
}
