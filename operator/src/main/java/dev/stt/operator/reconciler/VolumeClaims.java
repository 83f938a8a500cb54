package dev.stt.operator.reconciler;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.stream.Stream;

/**
 * The claims a run mounts. Workers are only created once all exist: a pod waiting for a claim would otherwise sit
 * unschedulable, and a missing claim is a mistake worth naming before cards are booked.
 */
final class VolumeClaims {
  private VolumeClaims() {}

  static List<String> missing(SentenceTransformerTraining training, KubernetesClient client) {
    var spec = training.getSpec();
    String namespace = training.getMetadata().getNamespace();
    return Stream.of(spec.output.claimName, spec.cache == null ? null : spec.cache.claimName)
        .filter(name -> name != null)
        .distinct()
        .filter(name -> client.persistentVolumeClaims().inNamespace(namespace).withName(name).get() == null)
        .toList();
  }
}
