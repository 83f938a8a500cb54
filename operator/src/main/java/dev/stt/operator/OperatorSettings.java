package dev.stt.operator;

import java.util.Set;

/**
 * How the operator runs: which namespaces it watches (empty = all) and the trainer image used when a resource names
 * none.
 */
public record OperatorSettings(Set<String> namespaces, String trainerImage) {
  public static final String DEFAULT_TRAINER_IMAGE = "ghcr.io/stt-operator/stt-trainer:0.1.0";

  public OperatorSettings {
    namespaces = Set.copyOf(namespaces);
  }
}
