package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * sentence-transformers' Pooling module: token embeddings to one sentence embedding, concatenating the enabled modes
 * in its order (cls, max, mean, mean_sqrt_len).
 */
public record Pooling(int dimension, boolean cls, boolean max, boolean mean, boolean meanSqrtLen) {

  public static Pooling mean(int dimension) {
    return new Pooling(dimension, false, false, true, false);
  }

  public static Pooling parse(JsonNode json) {
    for (String unsupported : new String[] {"pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken"}) {
      if (json.path(unsupported).asBoolean(false)) {
        throw new ModelException("1_Pooling/config.json: " + unsupported + " is not supported locally; use cls, max,"
            + " mean or mean_sqrt_len pooling");
      }
    }
    Pooling pooling = new Pooling(json.path("word_embedding_dimension").asInt(),
        json.path("pooling_mode_cls_token").asBoolean(false), json.path("pooling_mode_max_tokens").asBoolean(false),
        json.path("pooling_mode_mean_tokens").asBoolean(false),
        json.path("pooling_mode_mean_sqrt_len_tokens").asBoolean(false));
    if (!(pooling.cls || pooling.max || pooling.mean || pooling.meanSqrtLen)) {
      throw new ModelException("1_Pooling/config.json enables no pooling mode");
    }
    return pooling;
  }

  public ObjectNode toJson(ObjectMapper mapper) {
    ObjectNode json = mapper.createObjectNode();
    json.put("word_embedding_dimension", dimension);
    json.put("pooling_mode_cls_token", cls);
    json.put("pooling_mode_mean_tokens", mean);
    json.put("pooling_mode_max_tokens", max);
    json.put("pooling_mode_mean_sqrt_len_tokens", meanSqrtLen);
    json.put("pooling_mode_weightedmean_tokens", false);
    json.put("pooling_mode_lasttoken", false);
    json.put("include_prompt", true);
    return json;
  }

  public int outputDimension() {
    return dimension * ((cls ? 1 : 0) + (max ? 1 : 0) + (mean ? 1 : 0) + (meanSqrtLen ? 1 : 0));
  }

  /**
   * @param tokens token embeddings [batch, tokens, hidden]
   * @param mask 1 for tokens, 0 for padding, [batch, tokens, 1]
   */
  NDArray apply(NDArray tokens, NDArray mask) {
    NDList parts = new NDList();
    if (cls) {
      parts.add(tokens.get(new NDIndex(":, 0, :")));
    }
    if (max) {
      // Padding set far below any value, as sentence-transformers does.
      parts.add(tokens.add(mask.sub(1).mul(1e9f)).max(new int[] {1}));
    }
    if (mean || meanSqrtLen) {
      NDArray sum = tokens.mul(mask).sum(new int[] {1});
      NDArray count = mask.sum(new int[] {1}).maximum(1e-9f);
      if (mean) {
        parts.add(sum.div(count));
      }
      if (meanSqrtLen) {
        parts.add(sum.div(count.sqrt()));
      }
    }
    return parts.size() == 1 ? parts.head() : NDArrays.concat(parts, -1);
  }
}
