package dev.stt.api.validation;

/**
 * One reason a resource is invalid: the field (e.g. {@code spec.lora.r}), the offending value as given, and what is
 * allowed or what to do.
 */
public record Problem(String field, String value, String message) {

  /** What validate and train print: the resource, then one problem a line. */
  public static String report(String source, String resourceName, java.util.List<Problem> problems) {
    StringBuilder report = new StringBuilder(source + ": " + resourceName + " is invalid:");
    problems.forEach(p -> report.append(System.lineSeparator()).append("  - ").append(p));
    return report.toString();
  }

  @Override
  public String toString() {
    return value == null ? field + ": " + message : field + " = " + value + ": " + message;
  }
}
