package dev.stt.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Objects;
import java.util.Optional;

final class Writes {
  private Writes() {}

  /**
   * Creates, or returns the object that already exists when it is ours: the informer cache may not have caught up
   * with our last create. An object of that name owned by someone else is a conflict the user must resolve.
   */
  static <T extends HasMetadata> T createIfAbsent(KubernetesClient client, T desired) {
    try {
      return client.resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      T existing = client.resource(desired).get();
      if (existing == null) {
        throw e;
      }
      String owner = controllerUid(existing).orElse(null);
      String ours = controllerUid(desired).orElse(null);
      if (ours != null && !Objects.equals(owner, ours)) {
        throw new IllegalStateException(desired.getKind() + " " + desired.getMetadata().getName()
            + " already exists and is not this run's: rename the resource or delete that object");
      }
      return existing;
    }
  }

  private static Optional<String> controllerUid(HasMetadata object) {
    return object.getMetadata().getOwnerReferences() == null ? Optional.empty()
        : object.getMetadata().getOwnerReferences().stream().filter(r -> Boolean.TRUE.equals(r.getController()))
            .map(OwnerReference::getUid).findFirst();
  }
}
