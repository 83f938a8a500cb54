package dev.stt.operator.reconciler;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The claims a run mounts. Workers are only created once all exist: a pod waiting for a claim would otherwise sit
 * unschedulable, and a missing claim is a mistake worth naming before cards are booked. A claim seen recently is not
 * looked up again: many runs share one output claim.
 */
final class VolumeClaims {
  private static final Duration REMEMBER = Duration.ofMinutes(1);
  private final Map<String, Instant> seen = new ConcurrentHashMap<>();

  List<String> missing(SentenceTransformerTraining training, KubernetesClient client, Instant now) {
    var spec = training.getSpec();
    String namespace = training.getMetadata().getNamespace();
    return Stream.of(spec.output.claimName, spec.cache == null ? null : spec.cache.claimName)
        .filter(Objects::nonNull)
        .distinct()
        .filter(name -> !exists(namespace, name, client, now))
        .toList();
  }

  private boolean exists(String namespace, String name, KubernetesClient client, Instant now) {
    String key = namespace + "/" + name;
    Instant last = seen.get(key);
    if (last != null && now.isBefore(last.plus(REMEMBER))) {
      return true;
    }
    boolean exists = client.persistentVolumeClaims().inNamespace(namespace).withName(name).get() != null;
    if (exists) {
      seen.put(key, now);
    } else {
      seen.remove(key);
    }
    return exists;
  }
}
