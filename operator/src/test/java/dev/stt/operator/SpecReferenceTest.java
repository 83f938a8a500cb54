package dev.stt.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stt.api.validation.CrdValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * README's spec reference is generated from the CRD, so it cannot drift from it. After changing the model, run
 * {@code mvn -pl operator test -Dtest=SpecReferenceTest -Dstt.updateDocs=true} to rewrite it.
 */
class SpecReferenceTest {
  private static final Path README = Trainings.REPO.resolve("README.md");
  private static final String BEGIN = "<!-- spec-reference:begin (generated from the CRD by SpecReferenceTest) -->";
  private static final String END = "<!-- spec-reference:end -->";
  /** Kubernetes types embedded as they are: kubectl explain documents them. */
  private static final Set<String> EMBEDDED = Set.of("spec.env", "spec.imagePullSecrets",
      "spec.scheduling.tolerations", "spec.scheduling.affinity");

  static String table() {
    JsonNode spec = CrdValidator.bundled().openApiSchema().at("/properties/spec");
    StringBuilder rows = new StringBuilder("| field | type | meaning and default |\n|---|---|---|\n");
    walk(spec, "spec", rows);
    return rows.toString();
  }

  private static void walk(JsonNode schema, String path, StringBuilder rows) {
    schema.path("properties").properties().forEach(e -> {
      String field = path + "." + e.getKey();
      JsonNode node = e.getValue();
      String type = node.has("enum") ? String.join(" \\| ", toList(node.get("enum"))) : node.path("type").asText();
      if ("array".equals(type)) {
        type = "array of " + node.at("/items/type").asText();
      }
      rows.append("| `").append(field).append("` | ").append(type).append(" | ")
          .append(node.path("description").asText().replace("|", "\\|")).append(" |\n");
      if (!EMBEDDED.contains(field)) {
        walk(node, field, rows);
        if (node.at("/items/properties").isObject()) {
          walk(node.get("items"), field + "[]", rows);
        }
      }
    });
  }

  private static java.util.List<String> toList(JsonNode array) {
    java.util.List<String> values = new java.util.ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  @Test
  void readmeListsEverySpecFieldAsTheCrdDescribesIt() throws IOException {
    String readme = Files.readString(README);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README has the spec reference markers").isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String current = readme.substring(begin + BEGIN.length() + 1, end);
    String expected = table();
    if (Boolean.getBoolean("stt.updateDocs")) {
      Files.writeString(README, readme.substring(0, begin + BEGIN.length() + 1) + expected + readme.substring(end));
      current = expected;
    }
    assertThat(current).as("README's spec reference is stale: run mvn -pl operator test -Dtest=SpecReferenceTest"
        + " -Dstt.updateDocs=true").isEqualTo(expected);
  }
}
