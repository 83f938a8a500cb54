package dev.stt.operator.robustness;

import dev.stt.operator.cli.CliRun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.validation.CelRules;
import dev.stt.api.validation.CrdValidator;
import dev.stt.api.validation.Problem;
import dev.stt.api.validation.TrainingValidator;
import dev.stt.operator.robustness.InvalidCorpus.Case;
import dev.stt.operator.robustness.InvalidCorpus.Kind;
import dev.stt.operator.robustness.InvalidCorpus.Layer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The corpus of invalid resources (InvalidCorpus) offline: each rejected by the validator the operator and the CLI
 * share, naming the field; the whole corpus in one file rejected by {@code stt-operator validate} with exit code 2.
 * InvalidResourcesTest applies it to the running operator.
 */
class InvalidCorpusTest {
  static final List<Case> CORPUS = InvalidCorpus.all();
  /** How the operator's client reads resources. */
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @TempDir
  Path dir;

  static Stream<Arguments> corpus() {
    return CORPUS.stream().map(c -> argumentSet(c.toString(), c));
  }

  /** A problem list (the CLI's lines, the Valid condition's message) names the field: "field = value: ..." or "field: ...". */
  static boolean namesField(String text, String field) {
    return Pattern.compile("(^|- |; )" + Pattern.quote(field) + "( = |: )", Pattern.MULTILINE).matcher(text).find();
  }

  static CliRun validate(Path dir, String content) throws IOException {
    Path file = Files.writeString(Files.createTempFile(dir, "case", ".yaml"), content);
    return CliRun.of("validate", "-f", file.toString());
  }

  private CliRun validate(String content) throws IOException {
    return validate(dir, content);
  }

  @Test
  void theCorpusIsLargeAndCoversEveryConstraintCelRuleAndPlannerRule() {
    assertThat(CORPUS).hasSizeGreaterThanOrEqualTo(150);
    assertThat(CORPUS.stream().filter(c -> c.kind().typedModelCanHoldIt())).as("cases the operator sees")
        .hasSizeGreaterThanOrEqualTo(150);
    assertThat(CORPUS).extracting(Case::kind).contains(Kind.values());
    assertThat(CORPUS).extracting(Case::layer).contains(Layer.values());
    assertThat(CORPUS).filteredOn(c -> c.layer() == Layer.PLANNER).hasSizeGreaterThanOrEqualTo(25);
    assertThat(CORPUS).extracting(Case::name).doesNotHaveDuplicates();

    // Each constraint keyword of the schema (outside embedded Kubernetes types) is violated by a case on its field.
    Set<String> fields = CORPUS.stream().map(Case::field).collect(Collectors.toSet());
    JsonWalk.constrainedFields(CrdValidator.bundled().openApiSchema().path("properties").path("spec"), "spec")
        .forEach(f -> assertThat(fields).as("a case for the constraints of %s", f).contains(f));
    // Each CEL rule but the transition rule (which needs an update) has a case at its field.
    for (CelRules.Rule rule : CrdValidator.bundled().celRules().all()) {
      if (rule.transition()) {
        continue;
      }
      String where = (rule.schemaPath() + rule.fieldPath()).replace("[]", "[0]").replaceFirst("^\\.", "");
      assertThat(CORPUS).as("a case for the rule %s at %s", rule.expression(), where)
          .anyMatch(c -> c.layer() == Layer.CEL && c.field().replaceAll("\\[\\d+]", "[0]")
              .equals(where.isEmpty() ? "spec" : where));
    }
  }

  @ParameterizedTest
  @MethodSource("corpus")
  void theValidatorRejectsItNamingTheField(Case c) {
    TrainingValidator.Outcome outcome = TrainingValidator.bundled().validate(c.resource());
    assertThat(outcome.valid()).as("valid").isFalse();
    assertThat(outcome.problems()).as("problems").anySatisfy(p -> {
      assertThat(p.field()).isEqualTo(c.field());
      assertThat(p.message()).isNotBlank();
    });
  }

  /** The whole corpus as one multi-document file: {@code validate} names every resource's field and exits 2. */
  @Test
  void validateRejectsEveryCaseOfOneFileNamingTheField() throws IOException {
    StringBuilder file = new StringBuilder();
    for (Case c : CORPUS) {
      file.append("---\n").append(InvalidCorpus.YAML.writeValueAsString(c.resource()).replaceFirst("^---\\s*", ""));
    }
    CliRun r = validate(file.toString());
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.out()).doesNotContain(" is valid");
    assertThat(r.err()).doesNotContain("Exception", "\tat ");
    // stderr: "FILE: NAME is invalid:" then "  - problem" lines, per resource.
    Map<String, String> blocks = new HashMap<>();
    String current = null;
    for (String line : r.err().split("\n")) {
      var header = Pattern.compile(": (.*) is invalid:$").matcher(line);
      if (header.find()) {
        current = header.group(1);
        blocks.put(current, "");
      } else if (current != null) {
        blocks.merge(current, line + "\n", String::concat);
      }
    }
    SoftAssertions softly = new SoftAssertions();
    for (Case c : CORPUS) {
      softly.assertThat(blocks).as("%s is reported", c).containsKey(c.name());
      softly.assertThat(namesField(blocks.getOrDefault(c.name(), ""), c.field()))
          .as("%s: stderr names %s: %s", c, c.field(), blocks.get(c.name())).isTrue();
    }
    softly.assertAll();
  }

  /**
   * What the operator can see of a case is what the typed model holds: values of the wrong type, unknown enum values
   * and unknown fields never reach it through the API server (and would stop its informer: see
   * InvalidResourcesTest#aStoredResourceTheTypedModelCannotReadDoesNotStopTheOperator).
   */
  @Test
  void theTypedModelTheOperatorReadsHoldsAllButWrongTypesEnumsAndUnknownFields() {
    TrainingValidator validator = TrainingValidator.bundled();
    SoftAssertions softly = new SoftAssertions();
    for (Case c : CORPUS) {
      List<Problem> raw = validator.validate(c.resource()).problems().stream()
          .filter(p -> p.field().equals(c.field())).toList();
      Optional<SentenceTransformerTraining> typed = typed(c);
      boolean seen = typed.map(t -> validator.validate(t).problems().stream().anyMatch(p -> raw.stream()
          .anyMatch(q -> q.field().equals(p.field()) && q.message().equals(p.message())))).orElse(false);
      softly.assertThat(seen).as("the typed model carries %s", c).isEqualTo(c.kind().typedModelCanHoldIt());
    }
    softly.assertAll();
  }

  private static Optional<SentenceTransformerTraining> typed(Case c) {
    try {
      return Optional.of(SERIALIZATION.convertValue(c.resource(),
          SentenceTransformerTraining.class));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  @Test
  void validateRejectsIntegersBeyondTheModelsRange() throws IOException {
    for (String field : List.of("evalSteps", "saveSteps", "loggingSteps", "maxTrainSamples", "maxEvalSamples")) {
      var resource = InvalidCorpus.base();
      InvalidCorpus.put(resource, "spec.training." + field, InvalidCorpus.yaml("3000000000"));
      CliRun r = validate(InvalidCorpus.YAML.writeValueAsString(resource));
      assertThat(r.exitCode()).as("%s: %s", field, r.err()).isEqualTo(2);
      assertThat(namesField(r.err(), "spec.training." + field)).as(r.err()).isTrue();
    }
  }

  @Test
  void valuesThePodWouldBeRefusedForAreRejectedUpFront() throws IOException {
    // field -> {path to set, value}
    Map<String, String[]> cases = Map.of(
        "spec.serviceAccountName", new String[] {"spec.serviceAccountName", "Trainer_SA"},
        "spec.scheduling.priorityClassName", new String[] {"spec.scheduling.priorityClassName", "High Priority"},
        "spec.scheduling.schedulerName", new String[] {"spec.scheduling.schedulerName", "Gang Scheduler"},
        "spec.scheduling.nodeSelector", new String[] {"spec.scheduling.nodeSelector", "{'bad key!': gaudi2}"},
        "spec.scheduling.tolerations", new String[] {"spec.scheduling.tolerations",
            "[{key: habana.ai/gaudi, operator: Sometimes}]"},
        "spec.env", new String[] {"spec.env", "[{name: '', value: x}]"},
        "spec.resources.hpuResourceName", new String[] {"spec.resources.hpuResourceName", "gaudi"});
    SoftAssertions softly = new SoftAssertions();
    for (var e : cases.entrySet()) {
      var resource = InvalidCorpus.base();
      InvalidCorpus.put(resource, e.getValue()[0], InvalidCorpus.yaml(e.getValue()[1]));
      CliRun r = validate(InvalidCorpus.YAML.writeValueAsString(resource));
      softly.assertThat(r.exitCode()).as("%s: %s", e.getKey(), r.out()).isEqualTo(2);
      softly.assertThat(namesField(r.err(), e.getKey())).as("%s: %s", e.getKey(), r.err()).isTrue();
    }
    softly.assertAll();
  }

  /** Fields of the spec schema that carry a constraint keyword, as the corpus names them. */
  static final class JsonWalk {
    private static final List<String> KEYWORDS = Arrays.asList("minimum", "maximum", "minLength", "maxLength",
        "pattern", "enum", "maxItems", "maxProperties");

    static List<String> constrainedFields(com.fasterxml.jackson.databind.JsonNode node, String path) {
      if (Set.of("spec.scheduling.affinity", "spec.env[]", "spec.scheduling.tolerations[]",
          "spec.imagePullSecrets[]").contains(path)) {
        return List.of();
      }
      Stream<String> here = KEYWORDS.stream().anyMatch(node::has) ? Stream.of(InvalidCorpus.field(path))
          : Stream.empty();
      Stream<String> required = StreamSupport.stream(node.path("required").spliterator(), false)
          .map(r -> InvalidCorpus.field(path) + "." + r.asText());
      Stream<String> children = node.path("properties").properties().stream()
          .flatMap(e -> constrainedFields(e.getValue(), path + "." + e.getKey()).stream());
      Stream<String> items = node.path("items").isObject() ? constrainedFields(node.get("items"), path + "[]").stream()
          : Stream.empty();
      return Stream.of(here, required, children, items).flatMap(s -> s).toList();
    }
  }
}
