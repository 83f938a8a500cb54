package dev.stt.operator.render;

import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;

/** Every object a training owns, as the reconciler creates them for the first attempt. */
public final class TrainingRenderer {
  private TrainingRenderer() {}

  public static List<HasMetadata> render(SentenceTransformerTraining training, Plan plan, String defaultImage) {
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(TrainConfigMap.desired(training, plan));
    if (plan.topology().workers() > 1) {
      objects.add(RendezvousService.desired(training));
    }
    for (int i = 0; i < plan.topology().workers(); i++) {
      objects.add(WorkerPod.desired(training, plan, i, 0, defaultImage));
    }
    return objects;
  }
}
