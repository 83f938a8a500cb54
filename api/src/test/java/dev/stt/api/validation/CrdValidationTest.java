package dev.stt.api.validation;

import static dev.stt.api.TestResources.YAML;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stt.api.TestResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the API server rejects: the CRD's schema (kubectl strict validation) and its CEL rules. */
class CrdValidationTest {
  /** examples/sts-mpnet-1card.yaml in namespace ml. */
  private static final String BASE = """
      apiVersion: stt.dev/v1alpha1
      kind: SentenceTransformerTraining
      metadata:
        name: sts-mpnet-1card
        namespace: ml
      spec:
        recipe: sts
        model:
          name: sentence-transformers/all-mpnet-base-v2
        bf16: true
        output:
          claimName: models
      """;

  /**
   * The field the transition rule reports: it sits on the root schema (it reads oldSelf.status) and has no fieldPath,
   * so CelRules reports it at the root.
   */
  private static final String FROZEN_SPEC_FIELD = "spec";

  private static final CrdValidator VALIDATOR = CrdValidator.bundled();

  /** One change to the base resource. */
  @FunctionalInterface
  interface Edit extends UnaryOperator<ObjectNode> {}

  static Edit with(String pointer, Object value) {
    return r -> {
      TestResources.set(r, pointer, YAML.valueToTree(value));
      return r;
    };
  }

  static Edit without(String pointer) {
    return r -> {
      TestResources.remove(r, pointer);
      return r;
    };
  }

  static ObjectNode base() {
    return TestResources.yamlObject(BASE);
  }

  static ObjectNode apply(ObjectNode resource, Edit... edits) {
    for (Edit e : edits) {
      resource = e.apply(resource);
    }
    return resource;
  }

  private static Arguments invalid(String name, String field, Edit... edits) {
    return argumentSet(name + " -> " + field, field, edits);
  }

  private static final Edit LORA_ON = with("/spec/lora/enabled", true);

  static Stream<Arguments> invalidResources() {
    return Stream.of(
        // spec
        invalid("spec missing", "spec", without("/spec")),
        invalid("recipe not in the enum", "spec.recipe", with("/spec/recipe", "classification")),
        invalid("recipe missing", "spec.recipe", without("/spec/recipe")),
        invalid("unknown spec field", "spec.epochs", with("/spec/epochs", 3)),
        invalid("zeroStage -1", "spec.zeroStage", with("/spec/zeroStage", -1)),
        invalid("zeroStage 4", "spec.zeroStage", with("/spec/zeroStage", 4)),
        invalid("bf16 not a boolean", "spec.bf16", with("/spec/bf16", "yes")),
        invalid("imagePullPolicy not in the enum", "spec.imagePullPolicy", with("/spec/imagePullPolicy", "Sometimes")),
        // model
        invalid("model missing", "spec.model", without("/spec/model")),
        invalid("model.name missing", "spec.model.name", without("/spec/model/name"),
            with("/spec/model/revision", "main")),
        invalid("model.name empty", "spec.model.name", with("/spec/model/name", "")),
        invalid("model.name too long", "spec.model.name", with("/spec/model/name", "m".repeat(254))),
        invalid("maxSeqLength 7", "spec.model.maxSeqLength", with("/spec/model/maxSeqLength", 7)),
        invalid("maxSeqLength 32769", "spec.model.maxSeqLength", with("/spec/model/maxSeqLength", 32769)),
        invalid("architecture not in the enum", "spec.model.architecture", with("/spec/model/architecture", "gpt2")),
        invalid("parameters 0", "spec.model.parameters", with("/spec/model/parameters", 0)),
        // lora
        invalid("lora.r 0", "spec.lora.r", LORA_ON, with("/spec/lora/r", 0)),
        invalid("lora.r 2000", "spec.lora.r", LORA_ON, with("/spec/lora/r", 2000)),
        invalid("lora.alpha 0", "spec.lora.alpha", LORA_ON, with("/spec/lora/alpha", 0)),
        invalid("lora.dropout 1.0 (exclusive maximum)", "spec.lora.dropout", LORA_ON, with("/spec/lora/dropout", 1.0)),
        invalid("lora.dropout -0.1", "spec.lora.dropout", LORA_ON, with("/spec/lora/dropout", -0.1)),
        invalid("17 lora.targetModules", "spec.lora.targetModules", LORA_ON,
            with("/spec/lora/targetModules", IntStream.range(0, 17).mapToObj(i -> "m" + i).toList())),
        invalid("lora.rank is not a field", "spec.lora.rank", LORA_ON, with("/spec/lora/rank", 8)),
        // resources
        invalid("cards 0", "spec.resources.cards", with("/spec/resources/cards", 0)),
        invalid("cards 9", "spec.resources.cards", with("/spec/resources/cards", 9)),
        invalid("cards not a number", "spec.resources.cards", with("/spec/resources/cards", "two")),
        invalid("workers 0", "spec.resources.workers", with("/spec/resources/workers", 0)),
        invalid("workers 65", "spec.resources.workers", with("/spec/resources/workers", 65)),
        invalid("cpu not a quantity", "spec.resources.cpu", with("/spec/resources/cpu", "sixteen")),
        invalid("memory in GB", "spec.resources.memory", with("/spec/resources/memory", "128GB")),
        invalid("hugepages2Mi with a space", "spec.resources.hugepages2Mi",
            with("/spec/resources/hugepages2Mi", "4400 Mi")),
        invalid("sharedMemory negative", "spec.resources.sharedMemory",
            with("/spec/resources/sharedMemory", "-32Gi")),
        invalid("hbmGiB 0", "spec.resources.hbmGiB", with("/spec/resources/hbmGiB", 0)),
        invalid("hpuResourceName with two slashes", "spec.resources.hpuResourceName",
            with("/spec/resources/hpuResourceName", "habana.ai/gaudi/2")),
        invalid("hpuResourceName with a space", "spec.resources.hpuResourceName",
            with("/spec/resources/hpuResourceName", "habana.ai/gaudi 2")),
        // training
        invalid("epochs 0", "spec.training.epochs", with("/spec/training/epochs", 0)),
        invalid("batchSize 0", "spec.training.batchSize", with("/spec/training/batchSize", 0)),
        invalid("learningRate 0 (exclusive minimum)", "spec.training.learningRate",
            with("/spec/training/learningRate", 0)),
        invalid("learningRate 2", "spec.training.learningRate", with("/spec/training/learningRate", 2)),
        invalid("warmupRatio 1.5", "spec.training.warmupRatio", with("/spec/training/warmupRatio", 1.5)),
        invalid("gradientAccumulationSteps 0", "spec.training.gradientAccumulationSteps",
            with("/spec/training/gradientAccumulationSteps", 0)),
        invalid("evalSteps 0", "spec.training.evalSteps", with("/spec/training/evalSteps", 0)),
        invalid("seed -1", "spec.training.seed", with("/spec/training/seed", -1)),
        invalid("maxTrainSamples 0", "spec.training.maxTrainSamples", with("/spec/training/maxTrainSamples", 0)),
        // datasets
        invalid("dataset split not in the enum", "spec.datasets[0].split",
            with("/spec/datasets", List.of(Map.of("name", "sentence-transformers/stsb", "split", "dev")))),
        invalid("dataset without split", "spec.datasets[0].split",
            with("/spec/datasets", List.of(Map.of("name", "sentence-transformers/stsb")))),
        invalid("dataset weight -1", "spec.datasets[0].weight", with("/spec/datasets",
            List.of(Map.of("name", "sentence-transformers/stsb", "split", "train", "weight", -1)))),
        invalid("dataset name with spaces", "spec.datasets[1].name", with("/spec/datasets", List.of(
            Map.of("name", "sentence-transformers/stsb", "split", "train"),
            Map.of("name", "my dataset", "split", "validation")))),
        // output, cache, secrets
        invalid("output missing", "spec.output", without("/spec/output")),
        invalid("output.claimName not a DNS name", "spec.output.claimName",
            with("/spec/output/claimName", "Models_PVC")),
        invalid("output.path with ..", "spec.output.path", with("/spec/output/path", "runs/../../etc")),
        invalid("output.path absolute", "spec.output.path", with("/spec/output/path", "/runs/a")),
        invalid("cache.claimName missing", "spec.cache.claimName", with("/spec/cache", Map.of())),
        invalid("hfTokenSecretRef.name missing", "spec.hfTokenSecretRef.name",
            with("/spec/hfTokenSecretRef", Map.of("key", "token"))),
        // runPolicy, scheduling
        invalid("backoffLimit -1", "spec.runPolicy.backoffLimit", with("/spec/runPolicy/backoffLimit", -1)),
        invalid("backoffLimit 101", "spec.runPolicy.backoffLimit", with("/spec/runPolicy/backoffLimit", 101)),
        invalid("cleanPodPolicy not in the enum", "spec.runPolicy.cleanPodPolicy",
            with("/spec/runPolicy/cleanPodPolicy", "Finished")),
        invalid("activeDeadlineSeconds 0", "spec.runPolicy.activeDeadlineSeconds",
            with("/spec/runPolicy/activeDeadlineSeconds", 0)),
        invalid("queueName not a DNS label", "spec.scheduling.queueName",
            with("/spec/scheduling/queueName", "Team_A")),
        invalid("unknown field in an embedded toleration", "spec.scheduling.tolerations[0].keys",
            with("/spec/scheduling/tolerations", List.of(Map.of("keys", "habana.ai/gaudi")))),
        // CEL rules
        invalid("lora.r without lora.enabled", "spec.lora.enabled", with("/spec/lora/r", 8)),
        invalid("lora.targetModules with lora.enabled false", "spec.lora.enabled",
            with("/spec/lora", Map.of("enabled", false, "targetModules", List.of("q", "v")))),
        invalid("lora.targetModules with bad characters", "spec.lora.targetModules", LORA_ON,
            with("/spec/lora/targetModules", List.of("q", "v; rm -rf /"))),
        invalid("zeroStage 3 with hpuGraphs", "spec.training.hpuGraphs", with("/spec/zeroStage", 3),
            with("/spec/training/hpuGraphs", true)),
        invalid("hostIPC with sharedMemory", "spec.resources.sharedMemory", with("/spec/resources/hostIPC", true),
            with("/spec/resources/sharedMemory", "16Gi")),
        invalid("dataset with name and path", "spec.datasets[0]", with("/spec/datasets", List.of(
            Map.of("name", "sentence-transformers/stsb", "path", "/cache/stsb.jsonl", "split", "train")))),
        invalid("dataset with neither name nor path", "spec.datasets[0]",
            with("/spec/datasets", List.of(Map.of("split", "train", "subset", "pair-class")))),
        invalid("dataset path outside the volumes", "spec.datasets[1].path", with("/spec/datasets", List.of(
            Map.of("name", "sentence-transformers/stsb", "split", "train"),
            Map.of("path", "/etc/passwd", "split", "validation")))),
        invalid("dataset path with a subset", "spec.datasets[0].subset", with("/spec/datasets",
            List.of(Map.of("path", "/cache/train.jsonl", "split", "train", "subset", "pair-class")))),
        invalid("env names not unique", "spec.env", with("/spec/env", List.of(
            Map.of("name", "HCCL_SOCKET_IFNAME", "value", "eth0"),
            Map.of("name", "HCCL_SOCKET_IFNAME", "value", "eth1")))),
        invalid("env sets HABANA_VISIBLE_DEVICES", "spec.env",
            with("/spec/env", List.of(Map.of("name", "HABANA_VISIBLE_DEVICES", "value", "all")))),
        invalid("env sets HF_TOKEN", "spec.env",
            with("/spec/env", List.of(Map.of("name", "HF_TOKEN", "value", "hf_secret")))),
        invalid("env entry without a name", "spec.env", with("/spec/env", List.of(Map.of("value", "1")))),
        invalid("env name starting with a digit", "spec.env",
            with("/spec/env", List.of(Map.of("name", "1VAR", "value", "1")))),
        invalid("nodeSelector key with a space", "spec.scheduling.nodeSelector",
            with("/spec/scheduling/nodeSelector", Map.of("bad key", "x"))),
        invalid("nodeSelector value too long", "spec.scheduling.nodeSelector",
            with("/spec/scheduling/nodeSelector", Map.of("habana.ai/device.type", "g".repeat(64)))),
        invalid("toleration operator", "spec.scheduling.tolerations",
            with("/spec/scheduling/tolerations", List.of(Map.of("key", "k", "operator", "Maybe")))),
        invalid("toleration effect", "spec.scheduling.tolerations",
            with("/spec/scheduling/tolerations", List.of(Map.of("key", "k", "effect", "Never")))),
        invalid("serviceAccountName not a DNS name", "spec.serviceAccountName",
            with("/spec/serviceAccountName", "Trainer_SA")),
        invalid("hpuResourceName without a domain", "spec.resources.hpuResourceName",
            with("/spec/resources/hpuResourceName", "gaudi")));
  }

  @ParameterizedTest
  @MethodSource("invalidResources")
  void rejects(String field, Edit[] edits) {
    JsonNode resource = apply(base(), edits);
    List<Problem> problems = VALIDATOR.validate(resource);
    assertThat(problems).as("problems of %s", resource.path("spec"))
        .anySatisfy(p -> {
          assertThat(p.field()).isEqualTo(field);
          assertThat(p.message()).isNotBlank();
        });
  }

  @Test
  void corpusIsLargeAndCoversEveryCelRule() {
    List<String> fields = invalidResources().map(a -> (String) a.get()[0]).toList();
    assertThat(fields).hasSizeGreaterThanOrEqualTo(35);
    // A CEL rule reports at its schema node plus its fieldPath; each one appears at least once above.
    for (CelRules.Rule rule : VALIDATOR.celRules().all()) {
      if (rule.transition()) {
        continue;
      }
      String where = (rule.schemaPath() + rule.fieldPath()).replace("[]", "[0]").replaceFirst("^\\.", "");
      assertThat(fields).as("a case for the rule %s at %s", rule.expression(), where)
          .anyMatch(f -> f.replaceAll("\\[\\d+]", "[0]").equals(where));
    }
  }

  @Test
  void theBaseResourceIsValid() {
    assertThat(VALIDATOR.validate(base())).isEmpty();
  }

  @Test
  void aCelRuleReportsTheValueAtItsFieldPath() {
    ObjectNode resource = apply(base(), with("/spec/resources/hostIPC", true),
        with("/spec/resources/sharedMemory", "16Gi"));
    assertThat(VALIDATOR.validate(resource)).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("spec.resources.sharedMemory");
      assertThat(p.value()).isEqualTo("16Gi");
      assertThat(p.message()).contains("hostIPC");
    });
  }

  @Test
  void celRulesRunOnlyOnSchemaValidResources() {
    // cards 0 breaks the schema, so the hostIPC/sharedMemory rule is not evaluated, as in the API server.
    ObjectNode resource = apply(base(), with("/spec/resources/cards", 0), with("/spec/resources/hostIPC", true),
        with("/spec/resources/sharedMemory", "16Gi"));
    assertThat(VALIDATOR.validate(resource)).extracting(Problem::field).containsExactly("spec.resources.cards");
  }

  @Test
  void nullFieldsAreDroppedAsTheApiServerDoes() {
    ObjectNode resource = base();
    ((ObjectNode) resource.get("spec")).putNull("zeroStage");
    assertThat(VALIDATOR.validate(resource)).isEmpty();
  }

  @Test
  void aValidLoraEmbeddedTypesAndDatasetsPass() {
    ObjectNode resource = apply(base(),
        with("/spec/lora", Map.of("enabled", true, "r", 8, "alpha", 16, "dropout", 0.0,
            "targetModules", List.of("q", "k", "v", "encoder.layer.0.attention.self.q"))),
        with("/spec/resources", Map.of("cards", 8, "workers", 2, "cpu", "500m", "memory", "512Gi",
            "hugepages2Mi", "35200Mi", "hostIPC", true, "hbmGiB", 128)),
        with("/spec/datasets", List.of(
            Map.of("path", "/output/data/train.jsonl", "split", "train", "columns", Map.of("sentence1", "q")),
            Map.of("name", "sentence-transformers/stsb", "split", "validation", "sourceSplit", "dev"))),
        with("/spec/env", List.of(Map.of("name", "HCCL_SOCKET_IFNAME", "value", "eth0"),
            Map.of("name", "HF_ENDPOINT", "valueFrom", Map.of("secretKeyRef", Map.of("name", "hf", "key", "url"))))),
        with("/spec/scheduling", Map.of("queueName", "gaudi", "nodeSelector", Map.of("habana.ai/gaudi", "true"),
            "tolerations", List.of(Map.of("key", "habana.ai/gaudi", "operator", "Exists", "effect", "NoSchedule")))),
        with("/spec/zeroStage", 3), with("/spec/training/hpuGraphs", false),
        with("/spec/cache/claimName", "hf-cache"), with("/spec/hfTokenSecretRef/name", "hf-token"),
        with("/spec/runPolicy", Map.of("backoffLimit", 0, "activeDeadlineSeconds", 1, "ttlSecondsAfterFinished", 0,
            "cleanPodPolicy", "All", "suspend", false)));
    assertThat(VALIDATOR.validate(resource)).isEmpty();
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(TestResources.REPO.resolve("examples"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".yaml"))
          .filter(f -> !f.getFileName().toString().equals("pvc.yaml"))
          .sorted().toList().stream();
    }
  }

  @Test
  void thereAreExamples() throws IOException {
    assertThat(examples()).hasSizeGreaterThanOrEqualTo(10);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleIsValid(Path example) {
    JsonNode resource = TestResources.yaml(example);
    assertThat(resource.path("kind").asText()).isEqualTo("SentenceTransformerTraining");
    assertThat(VALIDATOR.validate(resource)).as("problems of %s", example).isEmpty();
  }

  // Transition rules: a started run's spec is frozen, except runPolicy.

  private static final String STARTED = """
      apiVersion: stt.dev/v1alpha1
      kind: SentenceTransformerTraining
      metadata:
        name: sts-mpnet-lora
        namespace: ml
      spec:
        recipe: sts
        model:
          name: sentence-transformers/all-mpnet-base-v2
        bf16: true
        lora:
          enabled: true
          r: 16
        zeroStage: 0
        resources:
          cards: 1
        training:
          epochs: 1
        datasets:
        - name: sentence-transformers/stsb
          split: train
        runPolicy:
          backoffLimit: 3
        output:
          claimName: models
      status:
        phase: Running
        startTime: "2025-06-01T10:00:00Z"
      """;

  static ObjectNode started() {
    return TestResources.yamlObject(STARTED);
  }

  static Stream<Arguments> frozenChanges() {
    return Stream.of(
        argumentSet("recipe", (Object) new Edit[] {with("/spec/recipe", "nli")}),
        argumentSet("model.name", (Object) new Edit[] {with("/spec/model/name", "bert-base-uncased")}),
        argumentSet("model.revision added", (Object) new Edit[] {with("/spec/model/revision", "main")}),
        argumentSet("lora.r", (Object) new Edit[] {with("/spec/lora/r", 32)}),
        argumentSet("lora removed", (Object) new Edit[] {without("/spec/lora")}),
        argumentSet("zeroStage", (Object) new Edit[] {with("/spec/zeroStage", 1)}),
        argumentSet("zeroStage removed", (Object) new Edit[] {without("/spec/zeroStage")}),
        argumentSet("bf16", (Object) new Edit[] {with("/spec/bf16", false)}),
        argumentSet("resources.cards", (Object) new Edit[] {with("/spec/resources/cards", 2)}),
        argumentSet("resources.hbmGiB added", (Object) new Edit[] {with("/spec/resources/hbmGiB", 128)}),
        argumentSet("training.epochs", (Object) new Edit[] {with("/spec/training/epochs", 2)}),
        argumentSet("datasets[0].name", (Object) new Edit[] {
            with("/spec/datasets/0/name", "mteb/stsbenchmark-sts")}),
        argumentSet("dataset added", (Object) new Edit[] {with("/spec/datasets/1",
            Map.of("name", "sentence-transformers/stsb", "split", "validation"))}));
  }

  @ParameterizedTest
  @MethodSource("frozenChanges")
  void aStartedRunsSpecIsFrozen(Edit[] edits) {
    ObjectNode old = started();
    ObjectNode changed = apply(started(), edits);
    assertThat(VALIDATOR.validate(changed)).as("the changed resource is valid by itself").isEmpty();
    assertThat(VALIDATOR.validate(changed, old)).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo(FROZEN_SPEC_FIELD);
      assertThat(p.message()).contains("cannot change once the run has started");
    });
  }

  static Stream<Arguments> editableChanges() {
    return Stream.of(
        argumentSet("runPolicy.suspend", (Object) new Edit[] {with("/spec/runPolicy/suspend", true)}),
        argumentSet("runPolicy.activeDeadlineSeconds",
            (Object) new Edit[] {with("/spec/runPolicy/activeDeadlineSeconds", 3600)}),
        argumentSet("runPolicy.ttlSecondsAfterFinished",
            (Object) new Edit[] {with("/spec/runPolicy/ttlSecondsAfterFinished", 600)}),
        argumentSet("runPolicy removed", (Object) new Edit[] {without("/spec/runPolicy")}),
        argumentSet("status only", (Object) new Edit[] {with("/status/phase", "Succeeded"),
            with("/status/completionTime", "2025-06-01T11:00:00Z")}),
        argumentSet("nothing", (Object) new Edit[0]));
  }

  @ParameterizedTest
  @MethodSource("editableChanges")
  void aStartedRunsRunPolicyStaysEditable(Edit[] edits) {
    assertThat(VALIDATOR.validate(apply(started(), edits), started())).isEmpty();
  }

  @Test
  void aRunThatHasNotStartedCanBeChanged() {
    ObjectNode pending = apply(started(), without("/status/startTime"), with("/status/phase", "Pending"));
    ObjectNode fixed = apply(pending.deepCopy(), with("/spec/recipe", "nli"), with("/spec/resources/cards", 8));
    assertThat(VALIDATOR.validate(fixed, pending)).isEmpty();

    ObjectNode noStatus = apply(started(), without("/status"));
    assertThat(VALIDATOR.validate(apply(noStatus.deepCopy(), with("/spec/recipe", "nli")), noStatus)).isEmpty();
  }

  @Test
  void removingTheSpecOfAStartedRunIsRejectedAtTheRoot() {
    List<Problem> problems = VALIDATOR.validate(apply(started(), without("/spec")), started());
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo(FROZEN_SPEC_FIELD);
      assertThat(p.message()).isNotBlank();
    });
  }

  @Test
  void transitionRulesDoNotRunOnCreate() {
    ObjectNode changed = apply(started(), with("/spec/recipe", "nli"));
    assertThat(VALIDATOR.validate(changed, started())).isNotEmpty();
    assertThat(VALIDATOR.validate(changed)).isEmpty();
    assertThat(VALIDATOR.validate(changed, null)).isEmpty();
  }

  @Test
  void everyCelRuleOfTheCrdCompiles() {
    List<CelRules.Rule> rules = VALIDATOR.celRules().all();
    assertThat(rules).hasSizeGreaterThanOrEqualTo(9);
    assertThat(rules).allSatisfy(r -> {
      assertThat(r.program()).isNotNull();
      assertThat(r.message()).isNotBlank();
    });
    assertThat(rules).filteredOn(CelRules.Rule::transition).singleElement()
        .satisfies(r -> assertThat(r.schemaPath()).isEmpty());
    assertThat(rules).extracting(CelRules.Rule::schemaPath).contains("spec", "spec.lora", "spec.lora.targetModules",
        "spec.resources", "spec.datasets[]", "spec.env");
    // Every x-kubernetes-validations entry of the schema is among them.
    assertThat(rules).hasSize(countRules(VALIDATOR.openApiSchema()));
  }

  private static int countRules(JsonNode node) {
    int count = node.path("x-kubernetes-validations").size();
    for (JsonNode child : (Iterable<JsonNode>) () -> node.elements()) {
      if (child.isContainerNode()) {
        count += countRules(child);
      }
    }
    return count;
  }
}
