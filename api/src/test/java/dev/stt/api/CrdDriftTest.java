package dev.stt.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The committed CRD is the generated one, and it says what kubectl users need. */
class CrdDriftTest {
  private static final String CRD_FILE = "sentencetransformertrainings.stt.dev-v1.yml";
  private static final Path COMMITTED = TestResources.REPO.resolve("crds").resolve(CRD_FILE);
  private static final Path GENERATED = Path.of("target", "classes", "META-INF", "fabric8", CRD_FILE);

  /** Kubernetes' own types embedded in the spec: their schema comes without descriptions. */
  private static final Set<String> EMBEDDED = Set.of("spec.env", "spec.scheduling.tolerations",
      "spec.scheduling.affinity", "spec.imagePullSecrets",
      // status.conditions is a list of io.fabric8 Conditions (metav1.Condition), just as embedded.
      "status.conditions");

  private static JsonNode crd;

  @BeforeAll
  static void load() {
    crd = TestResources.yaml(COMMITTED);
  }

  @Test
  void committedCrdIsTheGeneratedOne() throws IOException {
    assertThat(GENERATED).as("the crd-generator output (process-classes)").exists();
    assertThat(COMMITTED).as("the committed CRD").exists();
    byte[] committed = Files.readAllBytes(COMMITTED);
    byte[] generated = Files.readAllBytes(GENERATED);
    assertThat(new String(committed, java.nio.charset.StandardCharsets.UTF_8))
        .as("crds/%s is out of date with the model classes: run `mvn -Pupdate-crds -pl api process-classes` and"
            + " commit the result", CRD_FILE)
        .isEqualTo(new String(generated, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(committed)
        .as("crds/%s differs byte for byte from the generated CRD: run `mvn -Pupdate-crds -pl api process-classes`",
            CRD_FILE)
        .isEqualTo(generated);
  }

  @Test
  void namesGroupVersionAndScope() {
    JsonNode spec = crd.path("spec");
    assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
    assertThat(crd.at("/metadata/name").asText()).isEqualTo("sentencetransformertrainings.stt.dev");
    assertThat(spec.path("group").asText()).isEqualTo("stt.dev");
    assertThat(spec.at("/names/kind").asText()).isEqualTo("SentenceTransformerTraining");
    assertThat(spec.at("/names/plural").asText()).isEqualTo("sentencetransformertrainings");
    assertThat(texts(spec.at("/names/shortNames"))).containsExactly("stt");
    assertThat(spec.path("scope").asText()).isEqualTo("Namespaced");
    assertThat(spec.path("versions")).hasSize(1);
    JsonNode version = spec.path("versions").get(0);
    assertThat(version.path("name").asText()).isEqualTo("v1alpha1");
    assertThat(version.path("served").asBoolean()).isTrue();
    assertThat(version.path("storage").asBoolean()).isTrue();
  }

  @Test
  void statusIsASubresource() {
    JsonNode subresources = crd.at("/spec/versions/0/subresources");
    assertThat(subresources.has("status")).as("subresources: %s", subresources).isTrue();
    assertThat(subresources.path("status").isObject()).isTrue();
  }

  @Test
  void printerColumns() {
    Map<String, String> columns = new LinkedHashMap<>();
    crd.at("/spec/versions/0/additionalPrinterColumns")
        .forEach(c -> columns.put(c.path("name").asText(), c.path("jsonPath").asText()));
    // kubectl shows them in this order after NAME (the generator sorts them; PrinterColumnOrder restores it).
    assertThat(columns.keySet()).containsExactly("Phase", "Recipe", "Model", "Cards", "Progress", "Metric", "Age");
    assertThat(columns).containsEntry("Phase", ".status.phase")
        .containsEntry("Recipe", ".spec.recipe")
        .containsEntry("Model", ".spec.model.name")
        .containsEntry("Cards", ".status.plan.topology")
        .containsEntry("Progress", ".status.progress.summary")
        .containsEntry("Metric", ".status.metrics.summary")
        .containsEntry("Age", ".metadata.creationTimestamp");
  }

  @Test
  void everySpecAndStatusFieldIsDescribed() {
    JsonNode root = crd.at("/spec/versions/0/schema/openAPIV3Schema/properties");
    List<String> visited = new ArrayList<>();
    List<String> undescribed = new ArrayList<>();
    properties(root.path("spec"), "spec", visited, undescribed);
    properties(root.path("status"), "status", visited, undescribed);

    assertThat(undescribed)
        .as("schema properties without a description: add @JsonPropertyDescription to their fields")
        .isEmpty();
    // The walk really went through the model, nested objects, list items and embedded types included.
    assertThat(visited).hasSizeGreaterThan(80)
        .contains("spec.recipe", "spec.lora.targetModules", "spec.datasets[].columns", "spec.datasets[].split",
            "spec.resources.hbmGiB", "spec.training.maxEvalSamples", "spec.runPolicy.cleanPodPolicy",
            "spec.scheduling.queueName", "spec.env", "spec.scheduling.affinity", "status.plan.fits",
            "status.workers.failed", "status.conditions", "status.progress.summary")
        .doesNotContain("spec.env[].name", "spec.scheduling.tolerations[].key");
  }

  /** Checks the properties of an object schema (and of list items), recursively. */
  private static void describe(JsonNode property, String path, List<String> visited, List<String> undescribed) {
    visited.add(path);
    if (property.path("description").asText("").isBlank()) {
      undescribed.add(path);
    }
    if (EMBEDDED.contains(path)) {
      return;
    }
    properties(property, path, visited, undescribed);
  }

  private static void properties(JsonNode schema, String path, List<String> visited, List<String> undescribed) {
    schema.path("properties").properties()
        .forEach(e -> describe(e.getValue(), path + "." + e.getKey(), visited, undescribed));
    if (schema.path("items").isObject()) {
      properties(schema.path("items"), path + "[]", visited, undescribed);
    }
    if (schema.path("additionalProperties").isObject()) {
      properties(schema.path("additionalProperties"), path + "[*]", visited, undescribed);
    }
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
