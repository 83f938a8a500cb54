package dev.stt.operator.reconciler;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.operator.render.TrainConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Objects;

/** Keeps train.json (and ds_config.json) current; new workers read it at start. */
final class TrainConfigMapResource {
  private TrainConfigMapResource() {}

  static void reconcile(SentenceTransformerTraining training, Plan plan, Context<SentenceTransformerTraining> ctx) {
    ConfigMap desired = TrainConfigMap.desired(training, plan);
    var actual = ctx.getSecondaryResources(ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals(desired.getMetadata().getName())).findFirst();
    if (actual.isEmpty()) {
      Writes.createIfAbsent(ctx.getClient(), desired);
    } else if (!Objects.equals(actual.get().getData(), desired.getData())) {
      ConfigMap updated = new io.fabric8.kubernetes.api.model.ConfigMapBuilder(actual.get())
          .withData(desired.getData()).build();
      ctx.getClient().configMaps().resource(updated).update();
    }
  }
}
