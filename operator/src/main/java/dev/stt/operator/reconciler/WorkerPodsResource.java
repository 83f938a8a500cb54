package dev.stt.operator.reconciler;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.render.Labels;
import dev.stt.operator.render.WorkerPod;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Collection;
import java.util.List;

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

  /** Creates the workers of these indices; returns those this call created. */
  static List<Pod> create(SentenceTransformerTraining training, Plan plan, Collection<Integer> indices, int attempt,
      String image, Context<SentenceTransformerTraining> ctx) {
    @SuppressWarnings("unchecked")
    var informer = (InformerEventSource<Pod, SentenceTransformerTraining>) ctx.eventSourceRetriever()
        .getEventSourceFor(Pod.class);
    List<Pod> created = new java.util.ArrayList<>();
    for (int index : indices) {
      Pod pod = Writes.createIfAbsent(ctx.getClient(), WorkerPod.desired(training, plan, index, attempt, image));
      if (pod != null) {
        // The next reconcile must see this pod even before the informer does, or it would count it as lost.
        informer.handleRecentResourceCreate(ResourceID.fromResource(pod), pod);
        created.add(pod);
      }
    }
    return created;
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
