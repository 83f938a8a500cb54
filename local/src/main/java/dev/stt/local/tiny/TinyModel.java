package dev.stt.local.tiny;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stt.local.model.Encoder;
import dev.stt.local.model.EncoderConfig;
import dev.stt.local.model.Pooling;
import dev.stt.local.model.Safetensors;
import dev.stt.local.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny random BERT in the sentence-transformers layout: 2 layers of hidden size 128, a WordPiece tokenizer over the
 * grammar's words plus single letters (so any lowercase word still tokenizes), mean pooling.
 */
public final class TinyModel {
  static final int HIDDEN = 128;
  static final int LAYERS = 2;
  static final int HEADS = 4;
  static final int INTERMEDIATE = 256;
  static final int MAX_POSITIONS = 64;
  static final int MAX_SEQ_LENGTH = 32;
  private static final List<String> SPECIAL = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TinyModel() {}

  public static void write(NDManager manager, Path dir, long seed) throws IOException {
    Files.createDirectories(dir.resolve("1_Pooling"));
    List<String> vocab = vocabulary();
    ObjectNode config = config(vocab.size());
    JSON.writeValue(dir.resolve("config.json").toFile(), config);
    try (NDManager scope = manager.newSubManager()) {
      Encoder encoder = new Encoder(EncoderConfig.parse(config), Weights.random(scope, seed));
      Map<String, ai.djl.ndarray.NDArray> state = new LinkedHashMap<>();
      encoder.hfParameters().forEach((name, p) -> state.put(name, p.getArray()));
      Safetensors.write(dir.resolve("model.safetensors"), state);
    }
    JSON.writeValue(dir.resolve("tokenizer.json").toFile(), tokenizer(vocab));
    Files.write(dir.resolve("vocab.txt"), vocab);
    JSON.writeValue(dir.resolve("tokenizer_config.json").toFile(), JSON.createObjectNode()
        .put("tokenizer_class", "BertTokenizer").put("do_lower_case", true).put("model_max_length", MAX_POSITIONS)
        .put("pad_token", "[PAD]").put("unk_token", "[UNK]").put("cls_token", "[CLS]").put("sep_token", "[SEP]")
        .put("mask_token", "[MASK]"));
    ArrayNode modules = JSON.createArrayNode();
    modules.addObject().put("idx", 0).put("name", "0").put("path", "")
        .put("type", "sentence_transformers.models.Transformer");
    modules.addObject().put("idx", 1).put("name", "1").put("path", "1_Pooling")
        .put("type", "sentence_transformers.models.Pooling");
    JSON.writeValue(dir.resolve("modules.json").toFile(), modules);
    JSON.writeValue(dir.resolve("1_Pooling/config.json").toFile(), Pooling.mean(HIDDEN).toJson(JSON));
    JSON.writeValue(dir.resolve("sentence_bert_config.json").toFile(),
        JSON.createObjectNode().put("max_seq_length", MAX_SEQ_LENGTH).put("do_lower_case", false));
  }

  static List<String> vocabulary() {
    List<String> vocab = new ArrayList<>(SPECIAL);
    vocab.addAll(TinyGrammar.words());
    for (char c = 'a'; c <= 'z'; c++) {
      vocab.add(String.valueOf(c));
      vocab.add("##" + c);
    }
    vocab.addAll(List.of(".", ",", "?", "!"));
    return vocab;
  }

  private static ObjectNode config(int vocabSize) {
    ObjectNode config = JSON.createObjectNode();
    config.putArray("architectures").add("BertModel");
    return config.put("model_type", "bert").put("vocab_size", vocabSize).put("hidden_size", HIDDEN)
        .put("num_hidden_layers", LAYERS).put("num_attention_heads", HEADS).put("intermediate_size", INTERMEDIATE)
        .put("hidden_act", "gelu").put("max_position_embeddings", MAX_POSITIONS).put("type_vocab_size", 2)
        .put("layer_norm_eps", 1e-12).put("hidden_dropout_prob", 0.1).put("attention_probs_dropout_prob", 0.1)
        .put("initializer_range", 0.02).put("pad_token_id", 0).put("torch_dtype", "float32");
  }

  /** A BERT-style fast tokenizer: lowercasing normaliser, WordPiece, [CLS] ... [SEP]. */
  private static ObjectNode tokenizer(List<String> vocab) {
    ObjectNode json = JSON.createObjectNode();
    json.put("version", "1.0").putNull("truncation");
    json.putNull("padding");
    ArrayNode added = json.putArray("added_tokens");
    for (int id = 0; id < SPECIAL.size(); id++) {
      added.addObject().put("id", id).put("content", SPECIAL.get(id)).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    json.putObject("normalizer").put("type", "BertNormalizer").put("clean_text", true)
        .put("handle_chinese_chars", true).put("lowercase", true).putNull("strip_accents");
    json.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
    ObjectNode post = json.putObject("post_processor").put("type", "TemplateProcessing");
    ArrayNode single = post.putArray("single");
    special(single, "[CLS]", 0);
    sequence(single, "A", 0);
    special(single, "[SEP]", 0);
    ArrayNode pair = post.putArray("pair");
    special(pair, "[CLS]", 0);
    sequence(pair, "A", 0);
    special(pair, "[SEP]", 0);
    sequence(pair, "B", 1);
    special(pair, "[SEP]", 1);
    ObjectNode specials = post.putObject("special_tokens");
    for (String token : List.of("[CLS]", "[SEP]")) {
      ObjectNode entry = specials.putObject(token).put("id", token);
      entry.putArray("ids").add(vocab.indexOf(token));
      entry.putArray("tokens").add(token);
    }
    json.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
    ObjectNode model = json.putObject("model").put("type", "WordPiece").put("unk_token", "[UNK]")
        .put("continuing_subword_prefix", "##").put("max_input_chars_per_word", 100);
    ObjectNode ids = model.putObject("vocab");
    for (int id = 0; id < vocab.size(); id++) {
      ids.put(vocab.get(id), id);
    }
    return json;
  }

  private static void special(ArrayNode template, String token, int typeId) {
    template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
  }

  private static void sequence(ArrayNode template, String id, int typeId) {
    template.addObject().putObject("Sequence").put("id", id).put("type_id", typeId);
  }
}
