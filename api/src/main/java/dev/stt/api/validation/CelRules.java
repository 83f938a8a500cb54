package dev.stt.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CRD's {@code x-kubernetes-validations}, compiled once and evaluated as the API server does: at each schema node
 * whose value is present, with {@code self} bound to it and, for transition rules on updates, {@code oldSelf} to the
 * old value at the same place.
 */
public final class CelRules {
  private static final CelOptions OPTIONS = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
  private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
      .setOptions(OPTIONS)
      .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
      .addVar("self", SimpleType.DYN)
      .addVar("oldSelf", SimpleType.DYN)
      .build();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  /** A compiled rule and where it sits. */
  public record Rule(String schemaPath, String expression, String message, String fieldPath, boolean transition,
      CelRuntime.Program program) {}

  private final JsonNode schema;
  private final Map<String, Rule> byExpression = new LinkedHashMap<>();

  CelRules(JsonNode schema) {
    this.schema = schema;
    collect(schema, "");
  }

  /** Every rule in the CRD; compiling them all is part of loading, so a rule that does not compile fails fast. */
  public List<Rule> all() {
    return List.copyOf(byExpression.values());
  }

  List<Problem> evaluate(JsonNode value, JsonNode old) {
    List<Problem> problems = new ArrayList<>();
    walk(schema, value, old, "", problems);
    return problems;
  }

  private void collect(JsonNode node, String path) {
    for (JsonNode r : node.path("x-kubernetes-validations")) {
      String expression = r.path("rule").asText();
      byExpression.computeIfAbsent(expression, e -> compile(path, r));
    }
    node.path("properties").properties().forEach(e -> collect(e.getValue(), join(path, e.getKey())));
    if (node.path("items").isObject()) {
      collect(node.get("items"), path + "[]");
    }
    if (node.path("additionalProperties").isObject()) {
      collect(node.get("additionalProperties"), path + "[*]");
    }
  }

  private static Rule compile(String path, JsonNode r) {
    String expression = r.path("rule").asText();
    try {
      CelAbstractSyntaxTree ast = COMPILER.compile(expression).getAst();
      return new Rule(path, expression, r.path("message").asText("failed rule: " + expression),
          r.path("fieldPath").asText(""), expression.contains("oldSelf"), RUNTIME.createProgram(ast));
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalStateException("CEL rule at " + path + " does not compile: " + expression + ": "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  private void walk(JsonNode node, JsonNode value, JsonNode old, String path, List<Problem> problems) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return;
    }
    for (JsonNode r : node.path("x-kubernetes-validations")) {
      Rule rule = byExpression.get(r.path("rule").asText());
      if (rule.transition() && old == null) {
        continue;
      }
      check(rule, node, value, old, path, problems);
    }
    if (value.isObject()) {
      node.path("properties").properties().forEach(e -> walk(e.getValue(), value.get(e.getKey()),
          old == null ? null : old.get(e.getKey()), join(path, e.getKey()), problems));
      JsonNode additional = node.path("additionalProperties");
      if (additional.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
          var e = it.next();
          walk(additional, e.getValue(), old == null ? null : old.get(e.getKey()), path + "[" + e.getKey() + "]",
              problems);
        }
      }
    } else if (value.isArray() && node.path("items").isObject()) {
      // Without x-kubernetes-list-type: map, the API server does not correlate list items with old ones.
      for (int i = 0; i < value.size(); i++) {
        walk(node.get("items"), value.get(i), null, path + "[" + i + "]", problems);
      }
    }
  }

  private static void check(Rule rule, JsonNode node, JsonNode value, JsonNode old, String path,
      List<Problem> problems) {
    String joined = path + rule.fieldPath();
    String field = joined.isEmpty() ? "(root)" : joined.startsWith(".") ? joined.substring(1) : joined;
    JsonNode shown = rule.fieldPath().isEmpty() ? value : value.at(rule.fieldPath().replace('.', '/'));
    Map<String, Object> vars = new HashMap<>();
    vars.put("self", toCel(node, value));
    if (old != null) {
      vars.put("oldSelf", toCel(node, old));
    }
    try {
      if (!Boolean.TRUE.equals(rule.program().eval(vars))) {
        problems.add(new Problem(field, shown.isMissingNode() ? null : Values.show(shown), rule.message()));
      }
    } catch (CelEvaluationException e) {
      problems.add(new Problem(field, Values.show(value), "rule " + rule.expression() + " failed: " + e.getMessage()));
    }
  }

  /** JSON to CEL values, typed by the schema: CEL has no implicit int/double conversion. */
  static Object toCel(JsonNode schema, JsonNode value) {
    if (value.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      value.fields().forEachRemaining(e -> {
        JsonNode sub = schema.path("properties").path(e.getKey());
        if (sub.isMissingNode()) {
          sub = schema.path("additionalProperties");
        }
        map.put(e.getKey(), toCel(sub, e.getValue()));
      });
      return map;
    }
    if (value.isArray()) {
      List<Object> list = new ArrayList<>();
      value.forEach(v -> list.add(toCel(schema.path("items"), v)));
      return list;
    }
    if (value.isNumber()) {
      return "integer".equals(schema.path("type").asText()) ? (Object) value.asLong() : (Object) value.asDouble();
    }
    if (value.isBoolean()) {
      return value.asBoolean();
    }
    return value.asText();
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
