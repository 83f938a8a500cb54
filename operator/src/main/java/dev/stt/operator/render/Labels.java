package dev.stt.operator.render;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import java.util.LinkedHashMap;
import java.util.Map;

/** Labels on everything the operator creates; informers only watch objects with {@link #MANAGED_BY}. */
public final class Labels {
  public static final String MANAGED_BY_KEY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "stt-operator";
  public static final String MANAGED_BY = MANAGED_BY_KEY + "=" + MANAGED_BY_VALUE;
  public static final String TRAINING = "stt.dev/training";
  public static final String ROLE = "stt.dev/role";
  public static final String WORKER_INDEX = "stt.dev/worker-index";
  /** Restart count the pod was created for; pods of earlier attempts are leftovers to delete. */
  public static final String ATTEMPT = "stt.dev/attempt";
  public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
  public static final String KUEUE_POD_GROUP = "kueue.x-k8s.io/pod-group-name";
  public static final String KUEUE_POD_GROUP_COUNT = "kueue.x-k8s.io/pod-group-total-count";

  private Labels() {}

  public static Map<String, String> common(SentenceTransformerTraining training) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "sentence-transformer-training");
    labels.put(MANAGED_BY_KEY, MANAGED_BY_VALUE);
    labels.put(TRAINING, ObjectNames.labelValue(training.getMetadata().getName()));
    return labels;
  }

  /** Selects the workers of one training (the headless Service's selector). */
  public static Map<String, String> workerSelector(SentenceTransformerTraining training) {
    return Map.of(TRAINING, ObjectNames.labelValue(training.getMetadata().getName()), ROLE, "worker");
  }
}
