package dev.stt.api.plan;

import static java.util.Objects.requireNonNullElse;

import dev.stt.api.plan.ModelCatalog.ModelInfo;
import dev.stt.api.v1alpha1.Architecture;
import dev.stt.api.v1alpha1.DatasetSpec;
import dev.stt.api.v1alpha1.LoraSpec;
import dev.stt.api.v1alpha1.ModelSpec;
import dev.stt.api.v1alpha1.PullPolicy;
import dev.stt.api.v1alpha1.ResourcesSpec;
import dev.stt.api.v1alpha1.RunPolicy;
import dev.stt.api.v1alpha1.SentenceTransformerTrainingSpec;
import dev.stt.api.v1alpha1.TrainingSpec;
import dev.stt.api.validation.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Resolves a spec into a {@link Plan} and checks what needs knowledge of models and recipes: LoRA targets of known
 * architectures, the model name's form, dataset columns and volumes, and whether the run fits the cards' HBM.
 */
public final class RunPlanner {
  public static final String DEFAULT_HPU_RESOURCE = "habana.ai/gaudi";
  public static final int DEFAULT_HBM_GIB = 96;
  public static final String CACHE_MOUNT = "/cache";
  public static final String OUTPUT_MOUNT = "/output";

  private static final Pattern HF_ID =
      Pattern.compile("^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,95})(?:/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,95}))?$");

  /** The plan, or the problems that prevent one. */
  public record Result(Plan plan, List<Problem> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private RunPlanner() {}

  public static Result plan(SentenceTransformerTrainingSpec spec) {
    List<Problem> problems = new ArrayList<>();
    if (spec == null || spec.recipe == null || spec.model == null || spec.model.name == null || spec.output == null) {
      problems.add(new Problem("spec", null, "recipe, model.name and output.claimName are required"));
      return new Result(null, problems);
    }
    RecipeDefaults recipe = RecipeDefaults.of(spec.recipe);
    ModelSpec modelSpec = spec.model;
    checkModelName(modelSpec.name, spec, problems);
    Optional<ModelInfo> known = ModelCatalog.lookup(modelSpec.name);
    Architecture architecture = modelSpec.architecture != null ? modelSpec.architecture
        : known.map(ModelInfo::architecture).orElse(null);

    Plan.Lora lora = lora(spec.lora, architecture, problems);
    int zeroStage = requireNonNullElse(spec.zeroStage, 0);
    boolean bf16 = Boolean.TRUE.equals(spec.bf16);
    ResourcesSpec rs = requireNonNullElse(spec.resources, new ResourcesSpec());
    int cards = requireNonNullElse(rs.cards, 1);
    int workers = requireNonNullElse(rs.workers, 1);
    Plan.Topology topology = new Plan.Topology(workers, cards, launcher(workers, cards, zeroStage));
    Plan.Resources resources = new Plan.Resources(
        requireNonNullElse(rs.hpuResourceName, DEFAULT_HPU_RESOURCE),
        requireNonNullElse(rs.cpu, String.valueOf(16 * cards)),
        requireNonNullElse(rs.memory, cards == 1 ? "128Gi" : 96 * cards + "Gi"),
        requireNonNullElse(rs.hugepages2Mi, 4400 * cards + "Mi"),
        Boolean.TRUE.equals(rs.hostIPC) ? null : requireNonNullElse(rs.sharedMemory, "32Gi"),
        Boolean.TRUE.equals(rs.hostIPC),
        requireNonNullElse(rs.hbmGiB, DEFAULT_HBM_GIB));

    TrainingSpec ts = requireNonNullElse(spec.training, new TrainingSpec());
    boolean lazyMode = requireNonNullElse(ts.lazyMode, true);
    Plan.Training training = new Plan.Training(
        requireNonNullElse(ts.epochs, 1),
        requireNonNullElse(ts.batchSize, recipe.batchSize()),
        requireNonNullElse(ts.learningRate, 5e-5),
        requireNonNullElse(ts.warmupRatio, 0.1),
        requireNonNullElse(ts.gradientAccumulationSteps, 1),
        requireNonNullElse(ts.gradientCheckpointing, lora.enabled()),
        requireNonNullElse(ts.hpuGraphs, lazyMode && zeroStage != 3),
        lazyMode,
        requireNonNullElse(ts.evalSteps, recipe.evalSteps()),
        requireNonNullElse(ts.saveSteps, recipe.saveSteps()),
        requireNonNullElse(ts.loggingSteps, 100),
        requireNonNullElse(ts.seed, 42L));
    if (training.hpuGraphs() && !lazyMode) {
      problems.add(new Problem("spec.training.hpuGraphs", "true",
          "HPU graphs for training need lazy mode: set training.lazyMode: true or training.hpuGraphs: false"));
    }

    List<Plan.Dataset> datasets = datasets(spec, recipe, ts, problems);
    Plan.Model model = new Plan.Model(modelSpec.name, modelSpec.revision,
        modelSpec.maxSeqLength != null ? modelSpec.maxSeqLength : recipe.maxSeqLength(), architecture);
    Plan.Memory memory = memory(spec, known, lora, zeroStage, topology, bf16, training, recipe, model,
        resources.hbmGiB(), problems);

    RunPolicy rp = requireNonNullElse(spec.runPolicy, new RunPolicy());
    Plan.Policy policy = new Plan.Policy(requireNonNullElse(rp.backoffLimit, 3), rp.activeDeadlineSeconds,
        rp.ttlSecondsAfterFinished, requireNonNullElse(rp.cleanPodPolicy, RunPolicy.CleanPodPolicy.RUNNING),
        Boolean.TRUE.equals(rp.suspend));

    Plan plan = new Plan(spec.recipe, model, bf16, lora, zeroStage, topology, resources, training, datasets,
        RecipeDefaults.EVAL_NAME, recipe.gaudiConfigName(), memory, policy,
        requireNonNullElse(spec.imagePullPolicy, PullPolicy.IF_NOT_PRESENT));
    return new Result(problems.isEmpty() ? plan : null, problems);
  }

  /** As optimum-habana's gaudi_spawn.py chooses, with env:// rendezvous across workers. */
  static String launcher(int workers, int cards, int zeroStage) {
    if (workers > 1) {
      return "torch.distributed.run";
    }
    if (zeroStage > 0) {
      return "deepspeed";
    }
    return cards > 1 ? "torch.distributed.run" : "python";
  }

  private static void checkModelName(String name, SentenceTransformerTrainingSpec spec, List<Problem> problems) {
    if (name.startsWith("/")) {
      checkVolumePath("spec.model.name", name, spec, problems);
    } else if (!HF_ID.matcher(name).matches() || name.contains("--") || name.contains("..")) {
      problems.add(new Problem("spec.model.name", name, "neither a Hugging Face id (name or org/name of letters,"
          + " digits, '.', '_', '-') nor an absolute path under " + CACHE_MOUNT + "/ or " + OUTPUT_MOUNT + "/"));
    }
  }

  private static void checkVolumePath(String field, String path, SentenceTransformerTrainingSpec spec,
      List<Problem> problems) {
    if (path.contains("/../") || path.endsWith("/..")) {
      problems.add(new Problem(field, path, "paths must not contain '..'"));
    } else if (path.startsWith(CACHE_MOUNT + "/")) {
      if (spec.cache == null) {
        problems.add(new Problem(field, path, "is on the cache volume, but spec.cache is not set: set"
            + " spec.cache.claimName to the PersistentVolumeClaim that holds it"));
      }
    } else if (!path.startsWith(OUTPUT_MOUNT + "/")) {
      problems.add(new Problem(field, path, "paths must be under " + CACHE_MOUNT + "/ (spec.cache) or "
          + OUTPUT_MOUNT + "/ (spec.output), the volumes mounted in the workers"));
    }
  }

  private static Plan.Lora lora(LoraSpec spec, Architecture architecture, List<Problem> problems) {
    if (spec == null || !Boolean.TRUE.equals(spec.enabled)) {
      return new Plan.Lora(false, 0, 0, 0, List.of());
    }
    List<String> targets = spec.targetModules == null ? List.of() : spec.targetModules;
    if (targets.isEmpty()) {
      if (architecture == null) {
        problems.add(new Problem("spec.lora.targetModules", "[]", "the model's architecture is not known, so"
            + " LoRA targets cannot be chosen: set lora.targetModules (e.g. [query, key, value]) or"
            + " model.architecture (" + allowedArchitectures() + ")"));
      } else {
        targets = architecture.defaultLoraTargets();
      }
    } else if (architecture != null) {
      List<String> unknown = targets.stream().filter(t -> !architecture.linearModules().contains(t)).toList();
      if (!unknown.isEmpty()) {
        problems.add(new Problem("spec.lora.targetModules", String.join(",", unknown), "not a module of "
            + architecture.value() + " models; allowed: " + new java.util.TreeSet<>(architecture.linearModules())));
      }
    }
    return new Plan.Lora(true, requireNonNullElse(spec.r, 16), requireNonNullElse(spec.alpha, 64),
        requireNonNullElse(spec.dropout, 0.05), List.copyOf(targets));
  }

  private static String allowedArchitectures() {
    return java.util.Arrays.stream(Architecture.values()).map(Architecture::value).collect(Collectors.joining(", "));
  }

  private static List<Plan.Dataset> datasets(SentenceTransformerTrainingSpec spec, RecipeDefaults recipe,
      TrainingSpec ts, List<Problem> problems) {
    List<DatasetSpec> overrides = spec.datasets == null ? List.of() : spec.datasets;
    Map<String, List<Plan.Dataset>> bySplit = new TreeMap<>();
    for (int i = 0; i < overrides.size(); i++) {
      DatasetSpec d = overrides.get(i);
      String field = "spec.datasets[" + i + "]";
      if (d == null || d.split == null) {
        problems.add(new Problem(field + ".split", null, "required: train, validation or test"));
        continue;
      }
      String split = d.split.value();
      if (d.path != null) {
        checkVolumePath(field + ".path", d.path, spec, problems);
      }
      Map<String, String> columns = d.columns == null ? Map.of() : Map.copyOf(new TreeMap<>(d.columns));
      List<String> unknown = columns.keySet().stream().filter(c -> !recipe.columnsFor(split).contains(c)).toList();
      if (!unknown.isEmpty()) {
        problems.add(new Problem(field + ".columns", String.join(",", unknown), "not a column of the "
            + spec.recipe.value() + " recipe's " + split + " data; allowed: "
            + new java.util.TreeSet<>(recipe.columnsFor(split))));
      }
      bySplit.computeIfAbsent(split, s -> new ArrayList<>()).add(new Plan.Dataset(split, d.name, d.path, d.subset,
          requireNonNullElse(d.sourceSplit, split), columns, requireNonNullElse(d.weight, 1.0), null));
    }
    List<Plan.Dataset> resolved = new ArrayList<>();
    for (String split : List.of("train", "validation", "test")) {
      List<Plan.Dataset> chosen = bySplit.getOrDefault(split,
          recipe.datasets().stream().filter(d -> d.split().equals(split)).toList());
      Integer limit = "train".equals(split) ? (ts.maxTrainSamples != null ? ts.maxTrainSamples
          : recipe.maxTrainSamples()) : ts.maxEvalSamples;
      chosen.stream().filter(d -> d.weight() > 0).map(d -> withLimit(d, limit)).forEach(resolved::add);
    }
    if (resolved.stream().noneMatch(d -> "train".equals(d.split()))) {
      problems.add(new Problem("spec.datasets", null,
          "no training data left: give at least one train dataset with a weight above 0"));
    }
    return List.copyOf(resolved);
  }

  private static Plan.Dataset withLimit(Plan.Dataset d, Integer limit) {
    return new Plan.Dataset(d.split(), d.name(), d.path(), d.subset(), d.sourceSplit(), d.columns(), d.weight(),
        limit);
  }

  private static Plan.Memory memory(SentenceTransformerTrainingSpec spec, Optional<ModelInfo> known, Plan.Lora lora,
      int zeroStage, Plan.Topology topology, boolean bf16, Plan.Training training, RecipeDefaults recipe,
      Plan.Model model, int hbmGiB, List<Problem> problems) {
    Optional<ModelInfo> sized = spec.model.parameters != null
        ? Optional.of(sizedFromHint(spec.model.parameters, model.architecture()))
        : known.filter(ModelInfo::sized);
    if (sized.isEmpty()) {
      return new Plan.Memory(null, null, "model size unknown: set model.parameters to check the HBM fit");
    }
    ModelInfo info = sized.get();
    int seqLength = model.maxSeqLength() != null ? model.maxSeqLength() : MemoryPlanner.DEFAULT_SEQ_LENGTH;
    int loraTargets = Math.max(1, lora.targetModules().size());
    MemoryPlanner.Shape shape = new MemoryPlanner.Shape(info.parameters(), info.hidden(), info.layers(),
        lora.enabled(), lora.r(), loraTargets, zeroStage, topology.worldSize(), bf16,
        training.gradientCheckpointing(), training.batchSize(), recipe.textsPerExample(), seqLength);
    double estimate = MemoryPlanner.estimateGiB(shape);
    boolean fits = MemoryPlanner.fits(estimate, hbmGiB);
    String explanation = String.format(java.util.Locale.ROOT, "about %s (%s) per card of %d GiB",
        MemoryPlanner.gib(estimate), MemoryPlanner.gb(estimate), hbmGiB);
    if (!fits) {
      problems.add(new Problem("spec.resources.hbmGiB", String.valueOf(hbmGiB),
          "the run needs " + explanation + " (" + describe(lora, zeroStage, topology) + " of " + model.name()
              + "): " + advice(shape, hbmGiB)));
    }
    return new Plan.Memory(Math.round(estimate * 10) / 10.0, fits, explanation);
  }

  private static ModelInfo sizedFromHint(long parameters, Architecture architecture) {
    int[] shape = MemoryPlanner.shapeOf(parameters);
    return new ModelInfo(architecture, parameters, shape[0], shape[1]);
  }

  private static String describe(Plan.Lora lora, int zeroStage, Plan.Topology topology) {
    String kind = lora.enabled() ? "LoRA" : "full fine-tune";
    return kind + (zeroStage > 0 ? " with ZeRO-" + zeroStage : "") + " on " + topology.worldSize() + " card"
        + (topology.worldSize() == 1 ? "" : "s");
  }

  /** What would fit instead: LoRA with gradient checkpointing, or ZeRO-3 over enough cards. */
  private static String advice(MemoryPlanner.Shape s, int hbmGiB) {
    List<String> options = new ArrayList<>();
    if (!s.lora()) {
      MemoryPlanner.Shape withLora = new MemoryPlanner.Shape(s.parameters(), s.hidden(), s.layers(), true, 16, 3,
          s.zeroStage(), s.worldSize(), s.bf16(), true, s.microBatch(), s.textsPerExample(), s.seqLength());
      double loraGiB = MemoryPlanner.estimateGiB(withLora);
      if (MemoryPlanner.fits(loraGiB, hbmGiB)) {
        options.add("enable lora (about " + MemoryPlanner.gib(loraGiB) + " with gradient checkpointing)");
      }
    }
    for (int n = 2; n <= 64; n *= 2) {
      MemoryPlanner.Shape zero3 = new MemoryPlanner.Shape(s.parameters(), s.hidden(), s.layers(), s.lora(),
          s.loraR(), s.loraTargets(), 3, n, true, s.gradientCheckpointing(), s.microBatch(), s.textsPerExample(),
          s.seqLength());
      double zeroGiB = MemoryPlanner.estimateGiB(zero3);
      if (n > s.worldSize() && MemoryPlanner.fits(zeroGiB, hbmGiB)) {
        options.add("set zeroStage: 3 and bf16: true with cards >= " + n + " (about " + MemoryPlanner.gib(zeroGiB)
            + " per card)");
        break;
      }
    }
    if (!s.gradientCheckpointing()) {
      options.add("turn on training.gradientCheckpointing");
    }
    options.add("lower training.batchSize");
    return String.join(", or ", options);
  }
}
