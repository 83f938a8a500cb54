package dev.stt.api.plan;

import static dev.stt.api.TestResources.YAML;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stt.api.TestResources;
import dev.stt.api.v1alpha1.Architecture;
import dev.stt.api.v1alpha1.PullPolicy;
import dev.stt.api.v1alpha1.Recipe;
import dev.stt.api.v1alpha1.RunPolicy;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import dev.stt.api.v1alpha1.SentenceTransformerTrainingSpec;
import dev.stt.api.validation.CrdValidator;
import dev.stt.api.validation.Problem;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The reconcile-time rules and defaults: what the operator renders from a spec the API server accepted. */
class RunPlannerTest {
  private static final String E5_MISTRAL = "intfloat/e5-mistral-7b-instruct";

  /**
   * A spec from YAML, read into the typed model as the operator reads it. Every spec here passes the CRD (schema and
   * CEL), so the problems the planner finds are its own.
   */
  static SentenceTransformerTrainingSpec spec(String specYaml) {
    ObjectNode resource = YAML.createObjectNode();
    resource.put("apiVersion", "stt.dev/v1alpha1");
    resource.put("kind", "SentenceTransformerTraining");
    resource.putObject("metadata").put("name", "run").put("namespace", "ml");
    resource.set("spec", TestResources.yaml(specYaml));
    assertThat(CrdValidator.bundled().validate(resource)).as("the API server accepts %s", specYaml).isEmpty();
    return YAML.convertValue(resource, SentenceTransformerTraining.class).getSpec();
  }

  static RunPlanner.Result planned(String specYaml) {
    return RunPlanner.plan(spec(specYaml));
  }

  /** The plan of a spec that must be valid. */
  static Plan plan(String specYaml) {
    RunPlanner.Result result = planned(specYaml);
    assertThat(result.problems()).as("problems of %s", specYaml).isEmpty();
    assertThat(result.valid()).isTrue();
    assertThat(result.plan()).isNotNull();
    return result.plan();
  }

  /** The single problem of a spec that must be invalid. */
  static Problem problem(String specYaml) {
    RunPlanner.Result result = planned(specYaml);
    assertThat(result.valid()).as("%s is invalid", specYaml).isFalse();
    assertThat(result.plan()).isNull();
    assertThat(result.problems()).hasSize(1);
    return result.problems().get(0);
  }

  static Plan example(String file) throws Exception {
    JsonNode resource = TestResources.yaml(TestResources.REPO.resolve("examples").resolve(file));
    SentenceTransformerTraining training = YAML.treeToValue(resource, SentenceTransformerTraining.class);
    RunPlanner.Result result = RunPlanner.plan(training.getSpec());
    assertThat(result.problems()).as("problems of %s", file).isEmpty();
    return result.plan();
  }

  private static String stsOf(String model) {
    return "recipe: sts\nmodel: {name: '" + model + "'}\noutput: {claimName: models}\n";
  }

  @Nested
  class MemoryFit {
    @Test
    void aFullFineTuneOfE5MistralDoesNotFitOneCard() {
      Problem problem = problem("""
          recipe: sts
          model: {name: intfloat/e5-mistral-7b-instruct}
          bf16: true
          resources: {cards: 1, hbmGiB: 96}
          output: {claimName: models}
          """);
      assertThat(problem.field()).isEqualTo("spec.resources.hbmGiB");
      assertThat(problem.value()).isEqualTo("96");
      assertThat(problem.message()).contains("enable lora", "zeroStage: 3", "full fine-tune on 1 card", E5_MISTRAL);

      // Upstream: a full fine-tune of e5-mistral-7b-instruct needs about 130 GB.
      ModelCatalog.ModelInfo e5 = ModelCatalog.lookup(E5_MISTRAL).orElseThrow();
      double estimate = MemoryPlanner.estimateGiB(new MemoryPlanner.Shape(e5.parameters(), e5.hidden(),
          e5.layers(), false, 0, 1, 0, 1, true, false, 16, 2, 128));
      assertThat(estimate).isBetween(115.0, 135.0);
      assertThat(estimate * MemoryPlanner.GIB / 1e9).isBetween(123.0, 145.0);
      assertThat(MemoryPlanner.fits(estimate, 96)).isFalse();
      assertThat(problem.message()).contains(MemoryPlanner.gib(estimate), MemoryPlanner.gb(estimate));
    }

    @Test
    void loraWithGradientCheckpointingFitsOneCard() throws Exception {
      Plan plan = example("sts-e5-mistral-lora-1card.yaml");
      assertThat(plan.lora().enabled()).isTrue();
      assertThat(plan.training().gradientCheckpointing()).isTrue();
      assertThat(plan.topology().worldSize()).isEqualTo(1);
      assertThat(plan.memory().fits()).isTrue();
      // The example says: about 30 GiB of the card's 96.
      assertThat(plan.memory().estimatedGiBPerCard()).isLessThan(96.0).isCloseTo(30.0, within(5.0));
    }

    @Test
    void zero3OnFourCardsWithBf16Fits() throws Exception {
      Plan plan = example("sts-e5-mistral-zero3-4cards.yaml");
      assertThat(plan.lora().enabled()).isFalse();
      assertThat(plan.zeroStage()).isEqualTo(3);
      assertThat(plan.bf16()).isTrue();
      assertThat(plan.topology().worldSize()).isEqualTo(4);
      assertThat(plan.topology().launcher()).isEqualTo("deepspeed");
      assertThat(plan.training().hpuGraphs()).isFalse();
      assertThat(plan.memory().fits()).isTrue();
      assertThat(plan.memory().estimatedGiBPerCard()).isLessThan(96 * 0.95);
    }

    @Test
    void zero3OnTwoCardsIsWhatTheAdviceSays() {
      Problem problem = problem("""
          recipe: sts
          model: {name: intfloat/e5-mistral-7b-instruct}
          bf16: true
          output: {claimName: models}
          """);
      assertThat(problem.message()).contains("cards >= 2");
      Plan plan = plan("""
          recipe: sts
          model: {name: intfloat/e5-mistral-7b-instruct}
          bf16: true
          zeroStage: 3
          resources: {cards: 2}
          output: {claimName: models}
          """);
      assertThat(plan.memory().fits()).isTrue();
    }

    @Test
    void bertBaseFullFineTuneFitsOneCardEasily() {
      Plan plan = plan("""
          recipe: nli
          model: {name: bert-base-uncased}
          bf16: true
          output: {claimName: models}
          """);
      assertThat(plan.lora().enabled()).isFalse();
      assertThat(plan.memory().fits()).isTrue();
      assertThat(plan.memory().estimatedGiBPerCard()).isPositive().isLessThan(10.0);
      assertThat(plan.memory().explanation()).contains("per card of 96 GiB");
    }

    @Test
    void aSmallerCardIsTakenIntoAccount() {
      String lora = """
          recipe: sts
          model: {name: intfloat/e5-mistral-7b-instruct}
          bf16: true
          lora: {enabled: true}
          resources: {hbmGiB: %d}
          output: {claimName: models}
          """;
      assertThat(plan(lora.formatted(96)).memory().fits()).isTrue();
      Problem problem = problem(lora.formatted(16));
      assertThat(problem.field()).isEqualTo("spec.resources.hbmGiB");
      assertThat(problem.value()).isEqualTo("16");
      assertThat(problem.message()).contains("LoRA on 1 card").doesNotContain("enable lora");
    }

    @Test
    void anUnknownModelIsSizedFromItsParametersHint() {
      Plan hinted = plan("""
          recipe: sts
          model: {name: acme/encoder, parameters: 110000000}
          output: {claimName: models}
          """);
      assertThat(hinted.memory().estimatedGiBPerCard()).isNotNull().isPositive().isLessThan(20.0);
      assertThat(hinted.memory().fits()).isTrue();

      Problem tooBig = problem("""
          recipe: sts
          model: {name: acme/encoder, parameters: 70000000000}
          output: {claimName: models}
          """);
      assertThat(tooBig.field()).isEqualTo("spec.resources.hbmGiB");

      Plan unknown = plan(stsOf("acme/encoder"));
      assertThat(unknown.memory().fits()).isNull();
      assertThat(unknown.memory().estimatedGiBPerCard()).isNull();
      assertThat(unknown.memory().explanation()).contains("model.parameters");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nli-bert-1card.yaml", "nli-bert-8cards.yaml", "nli-e5-mistral-lora-1card.yaml",
        "nli-e5-mistral-zero3-4cards.yaml", "paraphrases-distilroberta-1card.yaml", "sts-e5-mistral-lora-1card.yaml",
        "sts-e5-mistral-zero3-4cards.yaml", "sts-mpnet-1card.yaml", "sts-mpnet-2x8.yaml", "sts-mpnet-8cards.yaml"})
    void everyExamplePlansAndFits(String file) throws Exception {
      Plan plan = example(file);
      assertThat(plan.memory().fits()).isTrue();
    }
  }

  @Nested
  class Defaults {
    @Test
    void sts() {
      Plan plan = plan(stsOf("sentence-transformers/all-mpnet-base-v2"));
      assertThat(plan.recipe()).isEqualTo(Recipe.STS);
      assertThat(plan.bf16()).isFalse();
      assertThat(plan.zeroStage()).isZero();
      assertThat(plan.model().maxSeqLength()).isNull();
      assertThat(plan.model().architecture()).isEqualTo(Architecture.MPNET);
      Plan.Training t = plan.training();
      assertThat(t.batchSize()).isEqualTo(16);
      assertThat(t.evalSteps()).isEqualTo(100);
      assertThat(t.saveSteps()).isEqualTo(100);
      assertThat(t.loggingSteps()).isEqualTo(100);
      assertThat(t.epochs()).isEqualTo(1);
      assertThat(t.learningRate()).isEqualTo(5e-5);
      assertThat(t.warmupRatio()).isEqualTo(0.1);
      assertThat(t.gradientAccumulationSteps()).isEqualTo(1);
      assertThat(t.seed()).isEqualTo(42L);
      assertThat(t.lazyMode()).isTrue();
      assertThat(plan.datasets()).extracting(Plan.Dataset::split, Plan.Dataset::name, Plan.Dataset::maxSamples)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("train", "sentence-transformers/stsb", null),
              org.assertj.core.groups.Tuple.tuple("validation", "sentence-transformers/stsb", null),
              org.assertj.core.groups.Tuple.tuple("test", "sentence-transformers/stsb", null));
      assertThat(plan.evalName()).isEqualTo("sts-dev");
      assertThat(plan.imagePullPolicy()).isEqualTo(PullPolicy.IF_NOT_PRESENT);
      assertThat(plan.policy().backoffLimit()).isEqualTo(3);
      assertThat(plan.policy().cleanPodPolicy()).isEqualTo(RunPolicy.CleanPodPolicy.RUNNING);
      assertThat(plan.policy().suspend()).isFalse();
      assertThat(plan.policy().activeDeadlineSeconds()).isNull();
    }

    @Test
    void paraphrases() {
      Plan plan = plan("""
          recipe: paraphrases
          model: {name: distilroberta-base}
          output: {claimName: models}
          """);
      assertThat(plan.training().batchSize()).isEqualTo(128);
      assertThat(plan.training().evalSteps()).isEqualTo(1000);
      assertThat(plan.training().saveSteps()).isEqualTo(1000);
      assertThat(plan.model().maxSeqLength()).isEqualTo(128);
      assertThat(plan.datasets()).filteredOn(d -> d.split().equals("train")).hasSize(9)
          .extracting(Plan.Dataset::name).contains("sentence-transformers/all-nli", "sentence-transformers/altlex");
    }

    @Test
    void paraphrasesKeepTheUsersSequenceLength() {
      Plan plan = plan("""
          recipe: paraphrases
          model: {name: distilroberta-base, maxSeqLength: 256}
          training: {batchSize: 32, evalSteps: 50}
          output: {claimName: models}
          """);
      assertThat(plan.model().maxSeqLength()).isEqualTo(256);
      assertThat(plan.training().batchSize()).isEqualTo(32);
      assertThat(plan.training().evalSteps()).isEqualTo(50);
      assertThat(plan.training().saveSteps()).isEqualTo(1000);
    }

    @Test
    void nliTrainsOnTenThousandAllNliPairs() {
      Plan plan = plan("""
          recipe: nli
          model: {name: bert-base-uncased}
          output: {claimName: models}
          """);
      assertThat(plan.datasets()).filteredOn(d -> d.split().equals("train")).singleElement().satisfies(d -> {
        assertThat(d.name()).isEqualTo("sentence-transformers/all-nli");
        assertThat(d.subset()).isEqualTo("pair-class");
        assertThat(d.maxSamples()).isEqualTo(10000);
      });
      assertThat(plan.datasets()).filteredOn(d -> !d.split().equals("train"))
          .extracting(Plan.Dataset::split).containsExactly("validation", "test");
      assertThat(plan.datasets()).filteredOn(d -> !d.split().equals("train"))
          .allSatisfy(d -> assertThat(d.maxSamples()).isNull());
      assertThat(plan.gaudiConfigName()).isEqualTo("Habana/bert-base-uncased");
    }

    @ParameterizedTest
    @CsvSource({"0, true", "1, true", "2, true", "3, false"})
    void hpuGraphsAreOffOnlyWithZero3(int zeroStage, boolean hpuGraphs) {
      Plan plan = plan("""
          recipe: sts
          model: {name: bert-base-uncased}
          bf16: true
          zeroStage: %d
          output: {claimName: models}
          """.formatted(zeroStage));
      assertThat(plan.training().hpuGraphs()).isEqualTo(hpuGraphs);
    }

    @Test
    void gradientCheckpointingFollowsLora() {
      assertThat(plan(stsOf("bert-base-uncased")).training().gradientCheckpointing()).isFalse();
      Plan lora = plan(stsOf("bert-base-uncased") + "lora: {enabled: true}\n");
      assertThat(lora.training().gradientCheckpointing()).isTrue();
      assertThat(lora.lora()).isEqualTo(new Plan.Lora(true, 16, 64, 0.05, List.of("query", "key", "value")));
      Plan off = plan(stsOf("bert-base-uncased") + "lora: {enabled: true}\ntraining: {gradientCheckpointing: false}\n");
      assertThat(off.training().gradientCheckpointing()).isFalse();
      assertThat(plan(stsOf("bert-base-uncased") + "lora: {enabled: false}\n").lora().enabled()).isFalse();
    }

    @ParameterizedTest(name = "{0} workers x {1} cards, zeroStage {2}: {3}")
    @CsvSource({
        "1, 1, 0, python",
        "1, 8, 0, torch.distributed.run",
        "2, 1, 0, torch.distributed.run",
        "2, 8, 0, torch.distributed.run",
        "1, 1, 1, deepspeed",
        "1, 4, 3, deepspeed",
        "1, 8, 2, deepspeed",
        "4, 8, 3, torch.distributed.run"})
    void launcherAndTopology(int workers, int cards, int zeroStage, String launcher) {
      Plan plan = plan("""
          recipe: sts
          model: {name: bert-base-uncased}
          bf16: true
          zeroStage: %d
          resources: {workers: %d, cards: %d}
          output: {claimName: models}
          """.formatted(zeroStage, workers, cards));
      assertThat(plan.topology().launcher()).isEqualTo(launcher);
      assertThat(plan.topology().workers()).isEqualTo(workers);
      assertThat(plan.topology().cards()).isEqualTo(cards);
      assertThat(plan.topology().worldSize()).isEqualTo(workers * cards);
      assertThat(plan.topology()).hasToString(workers + "x" + cards);
    }

    @Test
    void resourcesOfOneCard() {
      Plan.Resources r = plan(stsOf("bert-base-uncased")).resources();
      assertThat(r).isEqualTo(new Plan.Resources("habana.ai/gaudi", "16", "128Gi", "4400Mi", "32Gi", false, 96));
    }

    @Test
    void resourcesScaleWithTheCards() {
      Plan.Resources r = plan(stsOf("bert-base-uncased") + "resources: {cards: 8}\n").resources();
      assertThat(r.cpu()).isEqualTo("128");
      assertThat(r.hugepages2Mi()).isEqualTo("35200Mi");
      assertThat(r.memory()).isEqualTo("768Gi");
      assertThat(r.sharedMemory()).isEqualTo("32Gi");
      assertThat(r.hbmGiB()).isEqualTo(96);
      assertThat(r.hpuResourceName()).isEqualTo("habana.ai/gaudi");
    }

    @Test
    void resourcesGivenAreKept() {
      Plan.Resources r = plan(stsOf("bert-base-uncased") + """
          resources: {cards: 2, cpu: 500m, memory: 64Gi, hugepages2Mi: 9000Mi, hostIPC: true, hbmGiB: 128,
                      hpuResourceName: habana.ai/gaudi3}
          """).resources();
      assertThat(r).isEqualTo(new Plan.Resources("habana.ai/gaudi3", "500m", "64Gi", "9000Mi", null, true, 128));
    }
  }

  @Nested
  class LoraTargets {
    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = ';', value = {
        "distilbert-base-uncased; q_lin,k_lin,v_lin",
        "bert-base-uncased; query,key,value",
        "sentence-transformers/all-MiniLM-L6-v2; query,key,value",
        "sentence-transformers/all-mpnet-base-v2; q,k,v",
        "intfloat/e5-mistral-7b-instruct; q_proj,k_proj,v_proj",
        "distilroberta-base; query,key,value"})
    void defaultTargetsFollowTheArchitecture(String model, String targets) {
      Plan plan = plan(stsOf(model) + "bf16: true\nlora: {enabled: true}\n");
      assertThat(plan.lora().targetModules()).containsExactly(targets.split(","));
    }

    @Test
    void anUnknownTargetOfAKnownArchitectureIsRejected() {
      Problem problem = problem(stsOf("bert-base-uncased") + "lora: {enabled: true, targetModules: [query, q_proj]}\n");
      assertThat(problem.field()).isEqualTo("spec.lora.targetModules");
      assertThat(problem.value()).isEqualTo("q_proj");
      assertThat(problem.message()).contains("bert", "allowed: [dense, key, query, value]");
    }

    @Test
    void otherLinearModulesOfTheArchitectureAreAccepted() {
      Plan plan = plan(stsOf(E5_MISTRAL) + "bf16: true\nlora: {enabled: true, targetModules: [q_proj, o_proj,"
          + " gate_proj, down_proj]}\n");
      assertThat(plan.lora().targetModules()).containsExactly("q_proj", "o_proj", "gate_proj", "down_proj");
    }

    @Test
    void anUnknownModelNeedsTargetsOrAnArchitecture() {
      Problem problem = problem(stsOf("acme/encoder") + "lora: {enabled: true}\n");
      assertThat(problem.field()).isEqualTo("spec.lora.targetModules");
      assertThat(problem.message()).contains("model.architecture", "lora.targetModules");

      Plan withArchitecture = plan("""
          recipe: sts
          model: {name: acme/encoder, architecture: roberta}
          lora: {enabled: true}
          output: {claimName: models}
          """);
      assertThat(withArchitecture.model().architecture()).isEqualTo(Architecture.ROBERTA);
      assertThat(withArchitecture.lora().targetModules()).containsExactly("query", "key", "value");

      Plan withTargets = plan(stsOf("acme/encoder") + "lora: {enabled: true, targetModules: [attn.qkv]}\n");
      assertThat(withTargets.lora().targetModules()).containsExactly("attn.qkv");
    }

    @Test
    void theArchitectureGivenWinsOverTheName() {
      Plan plan = plan("""
          recipe: sts
          model: {name: sentence-transformers/paraphrase-multilingual-mpnet-base-v2, architecture: roberta}
          lora: {enabled: true}
          output: {claimName: models}
          """);
      assertThat(plan.lora().targetModules()).containsExactly("query", "key", "value");
    }

    @Test
    void debertaIsNotBert() {
      Plan plan = plan(stsOf("microsoft/deberta-v3-base")
          + "lora: {enabled: true, targetModules: [query_proj, key_proj, value_proj]}\n");
      assertThat(plan.lora().targetModules()).containsExactly("query_proj", "key_proj", "value_proj");
    }

    @Test
    void multilingualMpnetIsXlmRoberta() {
      Plan plan = plan(stsOf("sentence-transformers/paraphrase-multilingual-mpnet-base-v2") + "lora: {enabled: true}\n");
      assertThat(plan.lora().targetModules()).containsExactly("query", "key", "value");
    }
  }

  @Nested
  class ModelNames {
    @ParameterizedTest
    @ValueSource(strings = {"not a valid id!!", "org/team/model", "org--name/model", "org/a..b", "-model"})
    void notAHuggingFaceId(String name) {
      Problem problem = problem(stsOf(name));
      assertThat(problem.field()).isEqualTo("spec.model.name");
      assertThat(problem.value()).isEqualTo(name);
      assertThat(problem.message()).contains("Hugging Face id");
    }

    @Test
    void aCachePathNeedsTheCache() {
      Problem problem = problem(stsOf("/cache/models/x"));
      assertThat(problem.field()).isEqualTo("spec.model.name");
      assertThat(problem.message()).contains("spec.cache.claimName");

      Plan plan = plan(stsOf("/cache/models/x") + "cache: {claimName: hf-cache}\n");
      assertThat(plan.model().name()).isEqualTo("/cache/models/x");
      assertThat(plan.model().architecture()).isNull();
    }

    @Test
    void anOutputPathNeedsNoCache() {
      assertThat(plan(stsOf("/output/run-1/final")).model().name()).isEqualTo("/output/run-1/final");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "/cache/../etc/passwd", "/output/..", "/outputs/model", "/cache"})
    void otherPathsAreRejected(String name) {
      Problem problem = problem(stsOf(name) + "cache: {claimName: hf-cache}\n");
      assertThat(problem.field()).isEqualTo("spec.model.name");
      assertThat(problem.value()).isEqualTo(name);
    }

    @Test
    void aKnownModelByNameGetsItsArchitecture() {
      assertThat(plan(stsOf("BERT-Base-Uncased")).model().architecture()).isEqualTo(Architecture.BERT);
      assertThat(plan(stsOf("acme/encoder")).model().architecture()).isNull();
    }
  }

  @Nested
  class Datasets {
    @Test
    void anUnknownColumnIsRejected() {
      Problem problem = problem(stsOf("bert-base-uncased") + """
          datasets:
          - {name: acme/pairs, split: train, columns: {sentence1: question, answer: reply}}
          """);
      assertThat(problem.field()).isEqualTo("spec.datasets[0].columns");
      assertThat(problem.value()).isEqualTo("answer");
      assertThat(problem.message()).contains("[score, sentence1, sentence2]");
    }

    @Test
    void columnsAreCheckedAgainstTheSplitsData() {
      Problem problem = problem("""
          recipe: nli
          model: {name: bert-base-uncased}
          datasets:
          - {name: acme/nli, split: train, columns: {premise: text_a, hypothesis: text_b}}
          - {name: acme/sts, split: validation, columns: {premise: s1}}
          output: {claimName: models}
          """);
      assertThat(problem.field()).isEqualTo("spec.datasets[1].columns");
      assertThat(problem.value()).isEqualTo("premise");
    }

    @Test
    void aTrainOverrideReplacesOnlyTheTrainDefaults() {
      Plan plan = plan("""
          recipe: nli
          model: {name: bert-base-uncased}
          datasets:
          - {name: acme/nli, split: train, sourceSplit: dev, columns: {premise: a}}
          - {path: /output/data/more-nli.jsonl, split: train, weight: 2}
          output: {claimName: models}
          """);
      assertThat(plan.datasets()).extracting(Plan.Dataset::split).containsExactly("train", "train", "validation",
          "test");
      Plan.Dataset first = plan.datasets().get(0);
      assertThat(first.name()).isEqualTo("acme/nli");
      assertThat(first.sourceSplit()).isEqualTo("dev");
      assertThat(first.columns()).containsExactlyEntriesOf(java.util.Map.of("premise", "a"));
      assertThat(first.maxSamples()).isEqualTo(10000);
      Plan.Dataset second = plan.datasets().get(1);
      assertThat(second.path()).isEqualTo("/output/data/more-nli.jsonl");
      assertThat(second.name()).isNull();
      assertThat(second.weight()).isEqualTo(2.0);
      assertThat(second.sourceSplit()).isEqualTo("train");
      assertThat(plan.datasets().subList(2, 4)).extracting(Plan.Dataset::name)
          .containsOnly("sentence-transformers/stsb");
    }

    @Test
    void maxSamplesApplyPerSplit() {
      Plan plan = plan(stsOf("bert-base-uncased") + "training: {maxTrainSamples: 500, maxEvalSamples: 50}\n");
      assertThat(plan.datasets()).extracting(Plan.Dataset::split, Plan.Dataset::maxSamples).containsExactly(
          org.assertj.core.groups.Tuple.tuple("train", 500),
          org.assertj.core.groups.Tuple.tuple("validation", 50),
          org.assertj.core.groups.Tuple.tuple("test", 50));
    }

    @Test
    void weightZeroOnTheOnlyTrainDatasetLeavesNothingToTrainOn() {
      Problem problem = problem(stsOf("bert-base-uncased") + """
          datasets:
          - {name: acme/pairs, split: train, weight: 0}
          """);
      assertThat(problem.field()).isEqualTo("spec.datasets");
      assertThat(problem.message()).contains("no training data");
    }

    @Test
    void weightZeroLeavesOneDatasetOut() {
      Plan plan = plan(stsOf("bert-base-uncased") + """
          datasets:
          - {name: acme/pairs, split: train, weight: 0}
          - {name: acme/more-pairs, split: train}
          """);
      assertThat(plan.datasets()).filteredOn(d -> d.split().equals("train")).extracting(Plan.Dataset::name)
          .containsExactly("acme/more-pairs");
    }

    @Test
    void aDatasetOnTheCacheNeedsTheCache() {
      String spec = stsOf("bert-base-uncased") + """
          datasets:
          - {path: /cache/data/train.jsonl, split: train}
          """;
      Problem problem = problem(spec);
      assertThat(problem.field()).isEqualTo("spec.datasets[0].path");
      assertThat(problem.message()).contains("spec.cache");
      assertThat(plan(spec + "cache: {claimName: hf-cache}\n").datasets().get(0).path())
          .isEqualTo("/cache/data/train.jsonl");
    }

    @Test
    void aDatasetPathMustNotClimbOutOfItsVolume() {
      Problem problem = problem(stsOf("bert-base-uncased") + """
          datasets:
          - {path: /output/../etc/shadow, split: train}
          """);
      assertThat(problem.field()).isEqualTo("spec.datasets[0].path");
      assertThat(problem.message()).contains("..");
    }
  }

  @Nested
  class Training {
    @Test
    void hpuGraphsNeedLazyMode() {
      Problem problem = problem(stsOf("bert-base-uncased") + "training: {hpuGraphs: true, lazyMode: false}\n");
      assertThat(problem.field()).isEqualTo("spec.training.hpuGraphs");
      assertThat(problem.message()).contains("lazyMode");

      Plan eager = plan(stsOf("bert-base-uncased") + "training: {lazyMode: false}\n");
      assertThat(eager.training().lazyMode()).isFalse();
      assertThat(eager.training().hpuGraphs()).isFalse();
    }

    @Test
    void hyperparametersGivenAreKept() {
      Plan.Training t = plan(stsOf("bert-base-uncased") + """
          training: {epochs: 4, batchSize: 64, learningRate: 2.0e-5, warmupRatio: 0.0, gradientAccumulationSteps: 2,
                     evalSteps: 10, saveSteps: 20, loggingSteps: 5, seed: 7}
          runPolicy: {backoffLimit: 0, activeDeadlineSeconds: 3600, cleanPodPolicy: All, suspend: true}
          imagePullPolicy: Always
          """).training();
      assertThat(t).isEqualTo(new Plan.Training(4, 64, 2e-5, 0.0, 2, false, true, true, 10, 20, 5, 7L));
    }

    @Test
    void runPolicyGivenIsKept() {
      Plan plan = plan(stsOf("bert-base-uncased") + """
          runPolicy: {backoffLimit: 0, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 60, cleanPodPolicy: All,
                      suspend: true}
          imagePullPolicy: Always
          """);
      assertThat(plan.policy()).isEqualTo(new Plan.Policy(0, 3600L, 60L, RunPolicy.CleanPodPolicy.ALL, true));
      assertThat(plan.imagePullPolicy()).isEqualTo(PullPolicy.ALWAYS);
    }

    @Test
    void aMissingSpecIsAProblemNotACrash() {
      RunPlanner.Result result = RunPlanner.plan(null);
      assertThat(result.valid()).isFalse();
      assertThat(result.problems()).extracting(Problem::field).containsExactly("spec");
    }
  }
}
