package dev.stt.local.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The shape of a BERT-family encoder, read from a Hugging Face {@code config.json}. All four supported architectures
 * are post-norm transformer encoders with the same layer structure; they differ in tensor names, in position ids
 * (RoBERTa and MPNet count from the padding id + 1), in token types (BERT only) and in MPNet's relative position bias.
 */
public record EncoderConfig(
    Layout layout,
    int vocabSize,
    int hidden,
    int layers,
    int heads,
    int intermediate,
    int maxPositions,
    int typeVocabSize,
    float layerNormEps,
    float hiddenDropout,
    float attentionDropout,
    int padTokenId,
    int relativeBuckets) {

  /** Tensor names of one architecture, relative to the model's root (no {@code bert.} prefix). */
  public record Layout(String modelType, String prefix, String embeddingNorm, String layerPrefix, String query,
      String key, String value, String attentionOut, String attentionNorm, String ffnIn, String ffnOut,
      String outputNorm, boolean tokenTypes, boolean positionsFromPadding) {}

  private static final Layout BERT = new Layout("bert", "bert.", "embeddings.LayerNorm", "encoder.layer.",
      "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
      "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm", true, false);
  private static final Layout ROBERTA = new Layout("roberta", "roberta.", BERT.embeddingNorm, BERT.layerPrefix,
      BERT.query, BERT.key, BERT.value, BERT.attentionOut, BERT.attentionNorm, BERT.ffnIn, BERT.ffnOut,
      BERT.outputNorm, true, true);
  private static final Layout DISTILBERT = new Layout("distilbert", "distilbert.", "embeddings.LayerNorm",
      "transformer.layer.", "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
      "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm", false, false);
  private static final Layout MPNET = new Layout("mpnet", "mpnet.", "embeddings.LayerNorm", "encoder.layer.",
      "attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o", "attention.LayerNorm",
      "intermediate.dense", "output.dense", "output.LayerNorm", false, true);

  public static final String SUPPORTED = "bert (also MiniLM), roberta, distilbert, mpnet";

  public static EncoderConfig parse(JsonNode json) {
    String type = json.path("model_type").asText("").toLowerCase(Locale.ROOT);
    String activation = json.path(type.equals("distilbert") ? "activation" : "hidden_act").asText("gelu");
    if (!activation.equals("gelu")) {
      throw new ModelException("config.json: activation " + activation + " is not supported; the local runner"
          + " implements gelu, which " + SUPPORTED + " use");
    }
    return switch (type) {
      case "bert" -> bertLike(json, BERT, 0);
      case "roberta" -> bertLike(json, ROBERTA, 0);
      case "mpnet" -> bertLike(json, MPNET, json.path("relative_attention_num_buckets").asInt(32));
      case "distilbert" -> new EncoderConfig(DISTILBERT, required(json, "vocab_size"), required(json, "dim"),
          required(json, "n_layers"), required(json, "n_heads"), required(json, "hidden_dim"),
          required(json, "max_position_embeddings"), 0, 1e-12f, (float) json.path("dropout").asDouble(0.1),
          (float) json.path("attention_dropout").asDouble(0.1), json.path("pad_token_id").asInt(0), 0);
      default -> throw new ModelException("config.json: model_type '" + type + "' is not supported; the local"
          + " runner trains " + SUPPORTED + " encoders (decoders such as Mistral need the Gaudi cluster)");
    };
  }

  private static EncoderConfig bertLike(JsonNode json, Layout layout, int relativeBuckets) {
    return new EncoderConfig(layout, required(json, "vocab_size"), required(json, "hidden_size"),
        required(json, "num_hidden_layers"), required(json, "num_attention_heads"),
        required(json, "intermediate_size"), required(json, "max_position_embeddings"),
        layout.tokenTypes() ? json.path("type_vocab_size").asInt(2) : 0,
        (float) json.path("layer_norm_eps").asDouble(1e-12),
        (float) json.path("hidden_dropout_prob").asDouble(0.1),
        (float) json.path("attention_probs_dropout_prob").asDouble(0.1),
        json.path("pad_token_id").asInt(layout.positionsFromPadding() ? 1 : 0), relativeBuckets);
  }

  private static int required(JsonNode json, String field) {
    if (!json.path(field).canConvertToInt()) {
      throw new ModelException("config.json: " + field + " is missing or not an integer");
    }
    return json.get(field).asInt();
  }

  public int headSize() {
    return hidden / heads;
  }
}
