package dev.stt.local.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A sentence-transformers model: a BERT-family encoder in a Hugging Face layout directory ({@code config.json},
 * {@code model.safetensors}, {@code tokenizer.json}), pooling and optional normalisation as {@code modules.json} says.
 * Its parameters live in its own manager; each batch's arrays live in the caller's step manager.
 */
public final class SentenceModel implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String TRANSFORMER = "sentence_transformers.models.Transformer";
  private static final String POOLING = "sentence_transformers.models.Pooling";
  private static final String NORMALIZE = "sentence_transformers.models.Normalize";
  /** Tokenizer files copied into a saved model when the source has them. */
  private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
      "special_tokens_map.json", "vocab.txt");
  /** How many tokenized texts to remember, a few tens of MB at most. */
  private static final int TOKENIZED_TEXTS = 200_000;

  private final NDManager manager;
  private final Path transformerDir;
  private final JsonNode config;
  private final Encoder encoder;
  private final HuggingFaceTokenizer tokenizer;
  private final Pooling pooling;
  private final boolean normalize;
  private final int maxSeqLength;
  private final ParameterStore store;
  private Adapter adapter;
  /** Texts already tokenized: training sees each text once per epoch, evaluation at every evaluation. */
  private final Map<String, Encoded> tokenized = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Encoded> eldest) {
      return size() > TOKENIZED_TEXTS;
    }
  };

  private record Encoded(long[] ids, long[] typeIds) {}

  /** What a LoRA run adds to the saved model: peft's adapter_config.json. */
  private record Adapter(int r, int alpha, double dropout, List<String> targets) {}

  private SentenceModel(NDManager manager, Path transformerDir, JsonNode config, Encoder encoder,
      HuggingFaceTokenizer tokenizer, Pooling pooling, boolean normalize, int maxSeqLength) {
    this.manager = manager;
    this.transformerDir = transformerDir;
    this.config = config;
    this.encoder = encoder;
    this.tokenizer = tokenizer;
    this.pooling = pooling;
    this.normalize = normalize;
    this.maxSeqLength = maxSeqLength;
    this.store = new ParameterStore(manager, false);
    encoder.initialize(manager);
  }

  /**
   * Loads a model directory.
   *
   * @param maxSeqLength tokens per text (at most the model's positions), or null for the model's own
   *     (sentence_bert_config.json)
   * @param notices receives one line for each default the model directory left to the runner
   */
  public static SentenceModel load(NDManager parent, Path dir, Integer maxSeqLength, Consumer<String> notices)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelException("model directory " + dir + " does not exist");
    }
    Path transformerDir = dir;
    Pooling pooling = null;
    boolean normalize = false;
    Path modules = dir.resolve("modules.json");
    if (Files.exists(modules)) {
      for (JsonNode module : JSON.readTree(modules.toFile())) {
        String type = module.path("type").asText();
        Path path = dir.resolve(module.path("path").asText(""));
        switch (type) {
          case TRANSFORMER -> transformerDir = path;
          case POOLING -> pooling = Pooling.parse(readJson(path.resolve("config.json")));
          case NORMALIZE -> normalize = true;
          default -> throw new ModelException("modules.json: module " + type + " is not supported locally (only"
              + " Transformer, Pooling and Normalize)");
        }
      }
    }
    JsonNode config = readJson(transformerDir.resolve("config.json"));
    EncoderConfig encoderConfig = EncoderConfig.parse(config);
    if (pooling == null) {
      notices.accept("no modules.json in " + dir + ": mean pooling, as sentence-transformers does for a plain"
          + " Hugging Face model");
      pooling = Pooling.mean(encoderConfig.hidden());
    }
    int positions = encoderConfig.maxPositions()
        - (encoderConfig.layout().positionsFromPadding() ? encoderConfig.padTokenId() + 1 : 0);
    int length = maxSeqLength != null ? maxSeqLength : ownMaxSeqLength(dir, Math.min(512, positions));
    if (length > positions) {
      notices.accept("maxSeqLength " + length + " exceeds the model's " + positions + " positions: texts are"
          + " truncated to " + positions + " tokens");
      length = positions;
    }
    Path weightsFile = transformerDir.resolve("model.safetensors");
    if (!Files.exists(weightsFile)) {
      throw new ModelException(transformerDir + " has no model.safetensors"
          + (Files.exists(transformerDir.resolve("pytorch_model.bin")) ? " (only pytorch_model.bin: the local runner"
              + " reads safetensors; convert it, e.g. with transformers' save_pretrained(safe_serialization=True))"
              : ""));
    }
    Path tokenizerFile = transformerDir.resolve("tokenizer.json");
    if (!Files.exists(tokenizerFile)) {
      throw new ModelException(transformerDir + " has no tokenizer.json (a fast tokenizer); save one with"
          + " AutoTokenizer.from_pretrained(...).save_pretrained(dir)");
    }
    NDManager manager = parent.newSubManager();
    try {
      Weights.Checkpoint checkpoint = Weights.checkpoint(Safetensors.read(manager, weightsFile),
          encoderConfig.layout().prefix());
      Encoder encoder = new Encoder(encoderConfig, checkpoint);
      if (!checkpoint.unused().isEmpty()) {
        notices.accept("not used for sentence embeddings: " + checkpoint.unused());
      }
      return new SentenceModel(manager, transformerDir, config, encoder, tokenizer(tokenizerFile, length), pooling,
          normalize, length);
    } catch (RuntimeException | IOException e) {
      manager.close();
      throw e;
    }
  }

  private static HuggingFaceTokenizer tokenizer(Path file, int maxSeqLength) throws IOException {
    return HuggingFaceTokenizer.builder().optTokenizerPath(file).optTruncation(true).optPadding(false)
        .optMaxLength(maxSeqLength).build();
  }

  private static int ownMaxSeqLength(Path dir, int fallback) throws IOException {
    Path file = dir.resolve("sentence_bert_config.json");
    return Files.exists(file) ? readJson(file).path("max_seq_length").asInt(fallback) : fallback;
  }

  static JsonNode readJson(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new ModelException("missing " + file);
    }
    return JSON.readTree(file.toFile());
  }

  public Encoder encoder() {
    return encoder;
  }

  public NDManager manager() {
    return manager;
  }

  public int dimension() {
    return pooling.outputDimension();
  }

  /** Freezes the base and adds LoRA adapters (see {@link Encoder#addLora}); saving then writes merged weights. */
  public List<String> addLora(List<String> targets, int r, int alpha, double dropout, long seed) {
    List<String> adapted = encoder.addLora(manager, java.util.Set.copyOf(targets), r, alpha, (float) dropout, seed);
    adapter = new Adapter(r, alpha, dropout, targets);
    return adapted;
  }

  /** A batch of texts, right-padded to its longest; each distinct text is tokenized once and remembered. */
  Tokens tokenize(List<String> texts) {
    Map<String, Encoded> known = new java.util.HashMap<>();
    java.util.Set<String> unknown = new java.util.LinkedHashSet<>();
    for (String text : texts) {
      Encoded encoded = tokenized.get(text);
      if (encoded != null) {
        known.put(text, encoded);
      } else {
        unknown.add(text);
      }
    }
    if (!unknown.isEmpty()) {
      List<String> missing = List.copyOf(unknown);
      Encoding[] encodings = tokenizer.batchEncode(missing);
      for (int i = 0; i < encodings.length; i++) {
        Encoded encoded = new Encoded(encodings[i].getIds(), encodings[i].getTypeIds());
        known.put(missing.get(i), encoded);
        tokenized.put(missing.get(i), encoded);
      }
    }
    List<Encoded> batch = texts.stream().map(known::get).toList();
    int length = batch.stream().mapToInt(e -> e.ids().length).max().orElse(0);
    long[] ids = new long[texts.size() * length];
    long[] types = new long[ids.length];
    long[] mask = new long[ids.length];
    java.util.Arrays.fill(ids, encoder.padTokenId());
    for (int b = 0; b < batch.size(); b++) {
      Encoded e = batch.get(b);
      System.arraycopy(e.ids(), 0, ids, b * length, e.ids().length);
      System.arraycopy(e.typeIds(), 0, types, b * length, e.ids().length);
      java.util.Arrays.fill(mask, b * length, b * length + e.ids().length, 1);
    }
    return new Tokens(texts.size(), length, ids, types, mask);
  }

  /** Sentence embeddings [texts, dimension], computed in (and owned by) the step's manager. */
  public NDArray embed(NDManager step, List<String> texts, boolean training) {
    Tokens tokens = tokenize(texts);
    NDArray hidden = encoder.forward(store, encoder.inputs(step, tokens), training).head();
    float[] mask = new float[tokens.mask().length];
    for (int i = 0; i < mask.length; i++) {
      mask[i] = tokens.mask()[i];
    }
    NDArray pooled = pooling.apply(hidden, step.create(mask, new Shape(tokens.batch(), tokens.length(), 1)));
    return normalize ? pooled.div(pooled.norm(2, new int[] {-1}, true).maximum(1e-12f)) : pooled;
  }

  /** Embeddings of many texts, in batches, without dropout or gradients. */
  public float[][] encode(List<String> texts, int batchSize) {
    float[][] out = new float[texts.size()][];
    for (int start = 0; start < texts.size(); start += batchSize) {
      List<String> batch = texts.subList(start, Math.min(texts.size(), start + batchSize));
      try (NDManager step = manager.newSubManager()) {
        float[] flat = embed(step, batch, false).toType(DataType.FLOAT32, false).toFloatArray();
        int dim = flat.length / batch.size();
        for (int i = 0; i < batch.size(); i++) {
          out[start + i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        }
      }
    }
    return out;
  }

  /**
   * Writes the sentence-transformers layout: the Hugging Face model (LoRA merged into the base weights, as peft's
   * merge_and_unload), its tokenizer, modules.json, 1_Pooling/config.json and sentence_bert_config.json; a LoRA run
   * also writes its adapter in peft's layout under adapter/.
   */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (NDManager scope = manager.newSubManager()) {
      Map<String, NDArray> state = new LinkedHashMap<>();
      encoder.hfParameters().forEach((name, p) -> state.put(name, HfBlock.detached(p, scope)));
      encoder.denses().forEach(d -> state.put(d.hfName() + ".weight", d.mergedWeight(scope)));
      Safetensors.write(dir.resolve("model.safetensors"), state);
      if (adapter != null) {
        Map<String, NDArray> adapterState = new LinkedHashMap<>();
        encoder.adapterParameters().forEach((name, p) -> adapterState.put(name, HfBlock.detached(p, scope)));
        Safetensors.write(dir.resolve("adapter/adapter_model.safetensors"), adapterState);
        writeJson(dir.resolve("adapter/adapter_config.json"), adapterConfig());
      }
    }
    writeJson(dir.resolve("config.json"), config);
    for (String name : TOKENIZER_FILES) {
      Path source = transformerDir.resolve(name);
      if (Files.exists(source) && !Files.isSameFile(source.getParent(), dir)) {
        Files.copy(source, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    ArrayNode modules = JSON.createArrayNode();
    modules.addObject().put("idx", 0).put("name", "0").put("path", "").put("type", TRANSFORMER);
    modules.addObject().put("idx", 1).put("name", "1").put("path", "1_Pooling").put("type", POOLING);
    if (normalize) {
      modules.addObject().put("idx", 2).put("name", "2").put("path", "2_Normalize").put("type", NORMALIZE);
      Files.createDirectories(dir.resolve("2_Normalize"));
    }
    writeJson(dir.resolve("modules.json"), modules);
    writeJson(dir.resolve("1_Pooling/config.json"), pooling.toJson(JSON));
    writeJson(dir.resolve("sentence_bert_config.json"),
        JSON.createObjectNode().put("max_seq_length", maxSeqLength).put("do_lower_case", false));
  }

  private ObjectNode adapterConfig() {
    ObjectNode json = JSON.createObjectNode();
    json.put("peft_type", "LORA").put("task_type", "FEATURE_EXTRACTION").put("r", adapter.r())
        .put("lora_alpha", adapter.alpha()).put("lora_dropout", adapter.dropout()).put("bias", "none");
    adapter.targets().forEach(json.putArray("target_modules")::add);
    return json;
  }

  static void writeJson(Path file, JsonNode json) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    JSON.writeValue(file.toFile(), json);
  }

  /** All trainable parameters: the full model, or only the adapters after {@link #addLora}. */
  public List<Parameter> trainableParameters() {
    return encoder.getParameters().values().stream().filter(Parameter::requiresGradient).toList();
  }

  @Override
  public void close() {
    tokenizer.close();
    manager.close();
  }
}
