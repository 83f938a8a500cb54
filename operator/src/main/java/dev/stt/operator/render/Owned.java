package dev.stt.operator.render;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.Map;

/** Metadata of an object owned by a training: deleted with it by the garbage collector. */
final class Owned {
  private Owned() {}

  static ObjectMeta meta(SentenceTransformerTraining training, String name, Map<String, String> labels) {
    ObjectMetaBuilder meta = new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(training.getMetadata().getNamespace())
        .withLabels(labels);
    // A rendered preview (CLI) has no uid yet, so no owner.
    if (training.getMetadata().getUid() != null) {
      meta.withOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion(training.getApiVersion())
          .withKind(training.getKind())
          .withName(training.getMetadata().getName())
          .withUid(training.getMetadata().getUid())
          .withController(true)
          .withBlockOwnerDeletion(true)
          .build());
    }
    return meta.build();
  }
}
