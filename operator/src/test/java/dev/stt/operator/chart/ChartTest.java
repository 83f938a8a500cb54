package dev.stt.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.stt.operator.Trainings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

/** Real Helm (helm-java) lints and renders the chart; the parsed objects are checked. */
class ChartTest {
  static final Path CHART = Trainings.REPO.resolve("charts/stt-operator");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Every verb the operator may hold, per group/resource. A rule outside this list fails the test. */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "stt.dev/sentencetransformertrainings", Set.of("get", "list", "watch", "delete"),
      "stt.dev/sentencetransformertrainings/status", Set.of("get", "update"),
      "/pods", Set.of("get", "list", "watch", "create", "delete"),
      "/services", Set.of("get", "list", "watch", "create"),
      "/configmaps", Set.of("get", "list", "watch", "create", "update"),
      "/events", Set.of("create"),
      "/persistentvolumeclaims", Set.of("get"),
      "coordination.k8s.io/leases", Set.of("get", "create", "update"));

  static List<JsonNode> template(UnaryOperator<TemplateCommand> values) throws IOException {
    String manifests = values.apply(new Helm(CHART).template().withName("stt").withNamespace("stt-system")).call();
    List<JsonNode> objects = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(manifests)) {
      var docs = YAML.readValues(parser, JsonNode.class);
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        if (doc != null && doc.isObject()) {
          objects.add(doc);
        }
      }
    }
    return objects;
  }

  private static List<JsonNode> kind(List<JsonNode> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  private static void assertRulesAllowed(List<JsonNode> objects) {
    List<JsonNode> roles = objects.stream().filter(o -> o.path("kind").asText().endsWith("Role")).toList();
    assertThat(roles).isNotEmpty();
    for (JsonNode role : roles) {
      for (JsonNode rule : role.path("rules")) {
        for (JsonNode group : rule.path("apiGroups")) {
          for (JsonNode resource : rule.path("resources")) {
            String key = group.asText() + "/" + resource.asText();
            assertThat(ALLOWED).as("rule on %s in %s", key, role.at("/metadata/name")).containsKey(key);
            for (JsonNode verb : rule.path("verbs")) {
              assertThat(ALLOWED.get(key)).as("verb %s on %s", verb.asText(), key).contains(verb.asText());
            }
          }
        }
      }
    }
  }

  @Test
  void lintsStrictly() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void chartCarriesTheGeneratedCrd() throws IOException {
    Path committed = Trainings.REPO.resolve("crds/sentencetransformertrainings.stt.dev-v1.yml");
    assertThat(CHART.resolve("crds").resolve(committed.getFileName())).as(
        "the chart's CRD differs from crds/: run mvn -Pupdate-crds -pl api process-classes").hasSameBinaryContentAs(
        committed);
    try (var files = Files.list(CHART.resolve("crds"))) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void appVersionIsTheProjectVersion() throws Exception {
    String version = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(Trainings.REPO.resolve("pom.xml").toFile()).getElementsByTagName("version").item(0).getTextContent();
    JsonNode chart = new YAMLMapper().readTree(CHART.resolve("Chart.yaml").toFile());
    assertThat(chart.path("appVersion").asText()).isEqualTo(version);
  }

  @Test
  void defaultsInstallAClusterWideLeastPrivilegeOperator() throws IOException {
    List<JsonNode> objects = template(t -> t);
    assertThat(objects).extracting(o -> o.path("kind").asText()).containsExactlyInAnyOrder("ServiceAccount",
        "ClusterRole", "ClusterRoleBinding", "Service", "Deployment");
    assertRulesAllowed(objects);
    JsonNode role = kind(objects, "ClusterRole").get(0);
    assertThat(role.path("rules").toString()).doesNotContain("\"*\"", "secrets");

    JsonNode deployment = kind(objects, "Deployment").get(0);
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
    JsonNode pod = deployment.at("/spec/template/spec");
    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isPositive();
    assertThat(pod.path("serviceAccountName").asText()).isEqualTo("stt-stt-operator");
    JsonNode container = pod.at("/containers/0");
    assertThat(container.at("/image").asText()).isEqualTo("ghcr.io/stt-operator/stt-operator:0.1.0-SNAPSHOT");
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
    Map<String, String> env = new java.util.HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    assertThat(env).containsEntry("STT_WATCH_NAMESPACES", "").containsEntry("STT_LEADER_ELECTION", "false")
        .containsEntry("STT_TRAINER_IMAGE", "ghcr.io/stt-operator/stt-trainer:0.1.0")
        .containsEntry("STT_HTTP_PORT", "8080");
  }

  @Test
  void watchedNamespacesGetOneRoleEach() throws IOException {
    Path values = Files.writeString(Files.createTempFile(Path.of("target"), "values", ".yaml"),
        "watchNamespaces: [a, b]\n");
    List<JsonNode> objects = template(t -> t.withValuesFile(values));
    assertThat(kind(objects, "ClusterRole")).isEmpty();
    assertThat(kind(objects, "Role")).extracting(r -> r.at("/metadata/namespace").asText())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(kind(objects, "RoleBinding")).extracting(r -> r.at("/subjects/0/namespace").asText())
        .containsOnly("stt-system");
    assertRulesAllowed(objects);
    JsonNode env = kind(objects, "Deployment").get(0).at("/spec/template/spec/containers/0/env/0");
    assertThat(env.path("value").asText()).isEqualTo("a,b");
  }

  @Test
  void severalReplicasElectALeader() throws IOException {
    List<JsonNode> objects = template(t -> t.set("replicas", 2));
    assertThat(kind(objects, "Deployment").get(0).at("/spec/replicas").asInt()).isEqualTo(2);
    String env = kind(objects, "Deployment").get(0).at("/spec/template/spec/containers/0/env").toString();
    assertThat(env).contains("{\"name\":\"STT_LEADER_ELECTION\",\"value\":\"true\"}");
    List<JsonNode> leaseRoles = kind(objects, "Role");
    assertThat(leaseRoles).singleElement().satisfies(r -> {
      assertThat(r.at("/metadata/namespace").asText()).isEqualTo("stt-system");
      assertThat(r.at("/rules/0/resources/0").asText()).isEqualTo("leases");
    });
    assertRulesAllowed(objects);
  }

  @Test
  void serviceMonitorIsOptional() throws IOException {
    assertThat(kind(template(t -> t), "ServiceMonitor")).isEmpty();
    assertThat(kind(template(t -> t.set("serviceMonitor.enabled", true)), "ServiceMonitor")).singleElement()
        .satisfies(m -> assertThat(m.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics"));
  }

  @Test
  void schemaRejectsWrongTypes() {
    assertThatThrownBy(() -> template(t -> t.set("replicas", "two"))).hasMessageContaining("replicas");
    assertThatThrownBy(() -> template(t -> t.set("logFormat", "xml"))).hasMessageContaining("logFormat");
    assertThatThrownBy(() -> template(t -> t.set("watchNamespaces", "ml"))).hasMessageContaining("watchNamespaces");
  }

  @Test
  void notesTellTheUserWhatToDoNext() throws IOException {
    String notes = Files.readString(CHART.resolve("templates/NOTES.txt"));
    assertThat(notes).contains("kubectl apply", "examples/sts-mpnet-1card.yaml", "kubectl get stt -w");
  }
}
