package dev.stt.operator.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stt.api.plan.Plan;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ConfigMap mounted at /etc/stt: train.json, and ds_config.json with DeepSpeed. Never holds secrets. */
public final class TrainConfigMap {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TrainConfigMap() {}

  public static ConfigMap desired(SentenceTransformerTraining training, Plan plan) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(TrainConfig.FILE, json(TrainConfig.of(training, plan)));
    if (plan.zeroStage() > 0) {
      data.put(TrainConfig.DEEPSPEED_FILE, json(DeepSpeedConfig.of(plan)));
    }
    return new ConfigMapBuilder()
        .withMetadata(Owned.meta(training, ObjectNames.configMap(training.getMetadata().getName()),
            Labels.common(training)))
        .withData(data)
        .build();
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
