package dev.stt.operator.reconciler;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.render.RendezvousService;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/** The headless Service of a multi-worker run; single-worker runs rendezvous on localhost and need none. */
final class RendezvousServiceResource {
  private RendezvousServiceResource() {}

  static void reconcile(SentenceTransformerTraining training, Plan plan, Context<SentenceTransformerTraining> ctx) {
    if (plan.topology().workers() < 2) {
      return;
    }
    Service desired = RendezvousService.desired(training);
    boolean exists = ctx.getSecondaryResources(Service.class).stream()
        .anyMatch(s -> s.getMetadata().getName().equals(desired.getMetadata().getName()));
    if (!exists) {
      Writes.createIfAbsent(ctx.getClient(), desired);
    }
  }
}
