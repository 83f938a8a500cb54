package dev.stt.operator.reconciler;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.validation.TrainingValidator;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validation and planning results by resource uid and generation. A spec only changes with its generation, while a run
 * is reconciled on every event of its pods, ConfigMap and Service: checking the schema and CEL rules each time would
 * be most of the operator's CPU under load.
 */
final class ValidatedSpecs {
  private static final int MAX_ENTRIES = 10_000;

  private record Entry(Long generation, TrainingValidator.Outcome outcome) {}

  private final TrainingValidator validator;
  private final Map<String, Entry> byUid = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  });

  ValidatedSpecs(TrainingValidator validator) {
    this.validator = validator;
  }

  TrainingValidator.Outcome validate(SentenceTransformerTraining training) {
    String uid = training.getMetadata().getUid();
    Long generation = training.getMetadata().getGeneration();
    Entry cached = uid == null ? null : byUid.get(uid);
    if (cached != null && cached.generation() != null && cached.generation().equals(generation)) {
      return cached.outcome();
    }
    TrainingValidator.Outcome outcome = validator.validate(training);
    if (uid != null) {
      byUid.put(uid, new Entry(generation, outcome));
    }
    return outcome;
  }
}
