package dev.stt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;


/**
 * What the API server checks before the operator sees a resource: the generated CRD's openAPIV3Schema (with kubectl's
 * strict field validation: unknown fields are errors) and its CEL rules. The CLI runs it so that {@code validate}
 * answers as the cluster would; tests run it over the corpus of invalid resources.
 */
public final class CrdValidator {
  /** Where crd-generator writes the CRD; the jar carries it. */
  public static final String CRD_RESOURCE = "/META-INF/fabric8/sentencetransformertrainings.stt.dev-v1.yml";

  private static final List<String> KUBERNETES_KEYWORDS = List.of("x-kubernetes-validations",
      "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-list-type",
      "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-embedded-resource", "nullable");

  private final JsonNode openApiSchema;
  private final JsonSchema schema;
  private final CelRules celRules;

  private CrdValidator(JsonNode crd) {
    this.openApiSchema = crd.at("/spec/versions/0/schema/openAPIV3Schema");
    if (openApiSchema.isMissingNode()) {
      throw new IllegalArgumentException("CRD has no openAPIV3Schema");
    }
    JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV4())
        .keywords(KUBERNETES_KEYWORDS.stream().map(NonValidationKeyword::new).toList())
        .build();
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
        b -> b.metaSchema(meta).defaultMetaSchemaIri(meta.getIri()));
    this.schema = factory.getSchema(strict(openApiSchema.deepCopy(), true));
    this.celRules = new CelRules(openApiSchema);
  }

  /** The validator for the CRD this jar was built with. */
  public static CrdValidator bundled() {
    return Holder.BUNDLED;
  }

  public static CrdValidator of(JsonNode crd) {
    return new CrdValidator(crd);
  }

  public JsonNode openApiSchema() {
    return openApiSchema;
  }

  public CelRules celRules() {
    return celRules;
  }

  /** Problems of a create. */
  public List<Problem> validate(JsonNode resource) {
    return validate(resource, null);
  }

  /** Problems of an update from {@code old} (null for a create): transition rules only run on updates. */
  public List<Problem> validate(JsonNode resource, JsonNode old) {
    JsonNode pruned = withoutNulls(resource);
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage m : schema.validate(pruned)) {
      String field = fieldOf(m);
      JsonNode node = m.getInstanceNode();
      String value = "required".equals(m.getType()) || node == null || node.isMissingNode() ? null : Values.show(node);
      problems.add(new Problem(field, value, messageOf(m)));
    }
    // CEL rules assume a structurally valid object, as in the API server.
    if (problems.isEmpty()) {
      problems.addAll(celRules.evaluate(pruned, old == null ? null : withoutNulls(old)));
    }
    problems.sort(Comparator.comparing(Problem::field));
    return problems;
  }

  private static String fieldOf(ValidationMessage m) {
    String path = m.getInstanceLocation().toString().replaceFirst("^\\$\\.?", "");
    if ("required".equals(m.getType()) || "additionalProperties".equals(m.getType())) {
      String property = m.getProperty();
      if (property != null) {
        path = path.isEmpty() ? property : path + "." + property;
      }
    }
    return path.isEmpty() ? "(root)" : path;
  }

  private static String messageOf(ValidationMessage m) {
    return switch (m.getType()) {
      case "required" -> "required field is missing";
      case "additionalProperties" -> "unknown field (check its spelling against `kubectl explain stt.spec`)";
      default -> m.getMessage().replaceFirst("^\\S+: ", "");
    };
  }

  /** kubectl's strict field validation: an object schema that lists its properties rejects any other. */
  private static JsonNode strict(JsonNode schema, boolean root) {
    if (schema instanceof ObjectNode object) {
      boolean closed = object.has("properties") && !object.has("additionalProperties")
          && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
      if (closed && !root) {
        object.put("additionalProperties", false);
      }
      object.properties().forEach(e -> strict(e.getValue(), false));
    } else if (schema.isArray()) {
      schema.forEach(s -> strict(s, false));
    }
    return schema;
  }

  /** The API server drops null fields of non-nullable properties before validation. */
  static JsonNode withoutNulls(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          copy.set(e.getKey(), withoutNulls(e.getValue()));
        }
      }
      return copy;
    }
    if (node.isArray()) {
      var copy = JsonNodeFactory.instance.arrayNode();
      node.forEach(n -> copy.add(withoutNulls(n)));
      return copy;
    }
    return node;
  }

  private static final class Holder {
    static final CrdValidator BUNDLED = load();

    private static CrdValidator load() {
      try (InputStream in = CrdValidator.class.getResourceAsStream(CRD_RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(CRD_RESOURCE + " is not on the classpath: build with mvn process-classes");
        }
        return new CrdValidator(new ObjectMapper(new YAMLFactory()).readTree(in));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

}
