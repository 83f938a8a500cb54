package dev.stt.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import java.util.Optional;

/** Conditions whose lastTransitionTime only moves when their status flips. */
final class Conditions {
  static final String VALID = "Valid";
  static final String CREATED = "Created";
  static final String RUNNING = "Running";
  static final String SUCCEEDED = "Succeeded";
  static final String FAILED = "Failed";
  static final String SUSPENDED = "Suspended";

  private Conditions() {}

  /** Sets a condition; returns true when its status changed (a transition worth an event). */
  static boolean set(List<Condition> conditions, String type, boolean status, String reason, String message,
      Long generation, String now) {
    String value = status ? "True" : "False";
    Optional<Condition> existing = find(conditions, type);
    boolean transition = existing.map(c -> !value.equals(c.getStatus())).orElse(true);
    Condition next = new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition ? now : existing.get().getLastTransitionTime())
        .build();
    existing.ifPresentOrElse(c -> conditions.set(conditions.indexOf(c), next), () -> conditions.add(next));
    return transition;
  }

  static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }
}
