package dev.stt.api.validation;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stt.api.plan.RunPlanner;
import dev.stt.api.v1alpha1.Names;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import java.util.ArrayList;
import java.util.List;

/**
 * All three layers in the order the cluster applies them: the CRD schema and its CEL rules (what the API server
 * enforces), then the planner's reconcile-time rules. The operator and the CLI both call this, so a file that
 * {@code validate} accepts is one the operator runs.
 */
public final class TrainingValidator {
  private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private final CrdValidator crd;

  public TrainingValidator(CrdValidator crd) {
    this.crd = crd;
  }

  public static TrainingValidator bundled() {
    return new TrainingValidator(CrdValidator.bundled());
  }

  /** The outcome: the typed resource and its plan when valid, else every problem found. */
  public record Outcome(SentenceTransformerTraining resource, RunPlanner.Result planned, List<Problem> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  public Outcome validate(JsonNode json) {
    List<Problem> problems = new ArrayList<>();
    if (!json.isObject()) {
      problems.add(new Problem("(root)", Values.show(json), "expected a SentenceTransformerTraining object"));
      return new Outcome(null, null, problems);
    }
    checkKind(json, problems);
    problems.addAll(crd.validate(json));
    if (!problems.isEmpty()) {
      return new Outcome(null, null, problems);
    }
    SentenceTransformerTraining resource;
    try {
      resource = MAPPER.convertValue(json, SentenceTransformerTraining.class);
    } catch (IllegalArgumentException e) {
      // The schema should have caught it; a value the model cannot hold is still an invalid resource, not a crash.
      problems.add(unreadable(e));
      return new Outcome(null, null, problems);
    }
    return planned(resource, problems);
  }

  public Outcome validate(SentenceTransformerTraining resource) {
    return validate(MAPPER.valueToTree(resource));
  }

  private static Outcome planned(SentenceTransformerTraining resource, List<Problem> problems) {
    RunPlanner.Result planned = RunPlanner.plan(resource.getSpec());
    problems.addAll(planned.problems());
    return new Outcome(resource, planned, problems);
  }

  private static Problem unreadable(IllegalArgumentException e) {
    if (e.getCause() instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      String field = mapping.getPath().stream()
          .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(java.util.stream.Collectors.joining()).substring(1);
      return new Problem(field, null, "cannot be read: " + mapping.getOriginalMessage().lines().findFirst().orElse(""));
    }
    return new Problem("(root)", null, "cannot be read: " + e.getMessage());
  }

  private static void checkKind(JsonNode json, List<Problem> problems) {
    String apiVersion = json.path("apiVersion").asText("");
    String expected = SentenceTransformerTraining.GROUP + "/" + SentenceTransformerTraining.VERSION;
    if (!expected.equals(apiVersion)) {
      problems.add(new Problem("apiVersion", apiVersion, "must be " + expected));
    }
    if (!SentenceTransformerTraining.KIND.equals(json.path("kind").asText(""))) {
      problems.add(new Problem("kind", json.path("kind").asText(""), "must be " + SentenceTransformerTraining.KIND));
    }
    String name = json.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      problems.add(new Problem("metadata.name", null, "required"));
    } else if (name.length() > 253 || !name.matches(Names.DNS_SUBDOMAIN)) {
      problems.add(new Problem("metadata.name", name, "must be a lowercase RFC 1123 subdomain of at most 253"
          + " characters: letters, digits, '-' and '.'"));
    }
  }
}
