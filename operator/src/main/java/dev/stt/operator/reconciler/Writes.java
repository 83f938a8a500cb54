package dev.stt.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;

final class Writes {
  private Writes() {}

  /** Creates, treating "already exists" as done: the informer cache may not have caught up with our last create. */
  static <T extends HasMetadata> T createIfAbsent(KubernetesClient client, T desired) {
    try {
      return client.resource(desired).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return null;
      }
      throw e;
    }
  }
}
