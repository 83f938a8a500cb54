package dev.stt.api.validation;

/**
 * One reason a resource is invalid: the field (e.g. {@code spec.lora.r}), the offending value as given, and what is
 * allowed or what to do.
 */
public record Problem(String field, String value, String message) {

  @Override
  public String toString() {
    return value == null ? field + ": " + message : field + " = " + value + ": " + message;
  }
}
