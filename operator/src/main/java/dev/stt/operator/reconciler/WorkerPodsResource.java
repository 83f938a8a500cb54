package dev.stt.operator.reconciler;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.render.Labels;
import dev.stt.operator.render.WorkerPod;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The worker pods: created one per index for the current attempt, deleted together. Never updated in place. */
final class WorkerPodsResource {
  private WorkerPodsResource() {}

  static List<Pod> all(Context<SentenceTransformerTraining> ctx) {
    return ctx.getSecondaryResources(Pod.class).stream()
        .filter(p -> "worker".equals(p.getMetadata().getLabels().get(Labels.ROLE)))
        .toList();
  }

  static boolean ofAttempt(Pod pod, int attempt) {
    return String.valueOf(attempt).equals(pod.getMetadata().getLabels().get(Labels.ATTEMPT));
  }

  /** The pods one call created, and why the API server refused the next one, if it did. */
  record Creation(List<Pod> created, Optional<String> refusal) {}

  /**
   * Creates the workers of these indices. A refusal (400s: an invalid pod, a quota) stops the creation and is
   * returned for the status: retrying at once would not help. Other errors are thrown, so the reconcile is retried.
   */
  static Creation create(SentenceTransformerTraining training, Plan plan, Collection<Integer> indices, int attempt,
      String image, Context<SentenceTransformerTraining> ctx) {
    @SuppressWarnings("unchecked")
    var informer = (InformerEventSource<Pod, SentenceTransformerTraining>) ctx.eventSourceRetriever()
        .getEventSourceFor(Pod.class);
    List<Pod> created = new ArrayList<>();
    for (int index : indices) {
      Pod desired = WorkerPod.desired(training, plan, index, attempt, image);
      try {
        Pod pod = Writes.createIfAbsent(ctx.getClient(), desired);
        // The next reconcile must see this pod even before the informer does, or it would count it as lost.
        informer.handleRecentResourceCreate(ResourceID.fromResource(pod), pod);
        created.add(pod);
      } catch (KubernetesClientException e) {
        if (e.getCode() < 400 || e.getCode() >= 500) {
          throw e;
        }
        String reason = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
            : e.getMessage();
        return new Creation(created, Optional.of("the API server refused pod " + desired.getMetadata().getName()
            + " (" + e.getCode() + "): " + WorkerStates.truncate(reason)));
      }
    }
    return new Creation(created, Optional.empty());
  }

  static void delete(Collection<Pod> pods, Context<SentenceTransformerTraining> ctx) {
    for (Pod pod : pods) {
      if (pod.getMetadata().getDeletionTimestamp() == null) {
        ctx.getClient().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
            .delete();
      }
    }
  }
}
