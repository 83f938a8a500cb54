package dev.stt.local.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checkpoints written with Hugging Face names load into the right DJL parameters, and save back the same. */
class WeightMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static NDManager manager;

  @BeforeAll
  static void engine() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /**
   * @param type config.json's model_type
   * @param djlName DJL's path of layer 1's query weight (children are numbered; BERT and RoBERTa have token types)
   * @param hfName transformers' name of the same tensor
   */
  @ParameterizedTest
  @CsvSource({
      "bert, 06layer1_01query_weight, encoder.layer.1.attention.self.query.weight",
      "roberta, 06layer1_01query_weight, encoder.layer.1.attention.self.query.weight",
      "distilbert, 05layer1_01query_weight, transformer.layer.1.attention.q_lin.weight",
      "mpnet, 05layer1_01query_weight, encoder.layer.1.attention.attn.q.weight"})
  void hfNamesLoadIntoTheirDjlParametersAndSaveBack(String type, String djlName, String hfName,
      @TempDir Path dir) throws IOException {
    EncoderConfig config = EncoderConfig.parse(config(type));
    Map<String, NDArray> written = new HashMap<>();
    new Encoder(config, Weights.random(manager, 7)).hfParameters()
        .forEach((name, p) -> written.put(type + "." + name, p.getArray()));
    written.put(type + ".pooler.dense.weight", manager.ones(new Shape(8, 8)));
    Safetensors.write(dir.resolve("model.safetensors"), written);

    Weights.Checkpoint checkpoint = Weights.checkpoint(Safetensors.read(manager, dir.resolve("model.safetensors")),
        type + ".");
    Encoder loaded = new Encoder(config, checkpoint);

    assertThat(loaded.hfParameters().keySet()).isEqualTo(expectedNames(type));
    assertThat(checkpoint.unused()).containsExactly("pooler.dense.weight");
    assertThat(loaded.getParameters().get(djlName).getArray().toFloatArray())
        .isEqualTo(written.get(type + "." + hfName).toFloatArray());
    loaded.hfParameters().forEach((name, p) -> assertThat(p.getArray().toFloatArray()).as(name)
        .isEqualTo(written.get(type + "." + name).toFloatArray()));

    Map<String, NDArray> saved = new HashMap<>();
    loaded.hfParameters().forEach((name, p) -> saved.put(name, p.getArray()));
    Safetensors.write(dir.resolve("saved.safetensors"), saved);
    Map<String, NDArray> reread = Safetensors.read(manager, dir.resolve("saved.safetensors"));
    assertThat(reread.keySet()).isEqualTo(expectedNames(type));
    reread.forEach((name, array) -> assertThat(array.toFloatArray()).as(name)
        .isEqualTo(written.get(type + "." + name).toFloatArray()));
  }

  @Test
  void aCheckpointThatDoesNotFitTheConfigNamesTheTensor() {
    EncoderConfig config = EncoderConfig.parse(config("bert"));
    Map<String, NDArray> tensors = new HashMap<>();
    new Encoder(config, Weights.random(manager, 7)).hfParameters().forEach((name, p) -> tensors.put(name,
        p.getArray()));

    tensors.put("encoder.layer.0.intermediate.dense.weight", manager.zeros(new Shape(3, 8)));
    assertThatThrownBy(() -> new Encoder(config, Weights.checkpoint(tensors, "bert.")))
        .hasMessageContaining("encoder.layer.0.intermediate.dense.weight has shape (3, 8) but config.json implies"
            + " (16, 8)");

    tensors.remove("encoder.layer.0.intermediate.dense.weight");
    assertThatThrownBy(() -> new Encoder(config, Weights.checkpoint(tensors, "bert.")))
        .hasMessageContaining("no tensor encoder.layer.0.intermediate.dense.weight");
  }

  @Test
  void bfloat16CheckpointsLoadAsFloat32(@TempDir Path dir) throws IOException {
    byte[] header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}".getBytes(UTF_8);
    ByteBuffer file = ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    file.putLong(header.length).put(header).putShort((short) 0x3f80).putShort((short) 0xc000);
    Files.write(dir.resolve("bf16.safetensors"), file.array());

    NDArray w = Safetensors.read(manager, dir.resolve("bf16.safetensors")).get("w");

    assertThat(w.toFloatArray()).containsExactly(1f, -2f);
  }

  @Test
  void mpnetRelativeBucketsMatchTransformers() {
    // transformers' MPNetEncoder.relative_position_bucket(k - q) for 32 buckets.
    assertThat(Encoder.relativeBucket(0, 32)).isZero();
    assertThat(Encoder.relativeBucket(-1, 32)).isEqualTo(1);
    assertThat(Encoder.relativeBucket(1, 32)).isEqualTo(17);
    assertThat(Encoder.relativeBucket(-20, 32)).isEqualTo(10);
    assertThat(Encoder.relativeBucket(-500, 32)).isEqualTo(15);
    assertThat(Encoder.relativeBucket(500, 32)).isEqualTo(31);
  }

  private static ObjectNode config(String type) {
    ObjectNode json = JSON.createObjectNode().put("model_type", type).put("vocab_size", 20)
        .put("max_position_embeddings", 16);
    if (type.equals("distilbert")) {
      return json.put("dim", 8).put("n_layers", 2).put("n_heads", 2).put("hidden_dim", 16);
    }
    return json.put("hidden_size", 8).put("num_hidden_layers", 2).put("num_attention_heads", 2)
        .put("intermediate_size", 16);
  }

  /** transformers' tensor names of each architecture, written out. */
  private static Set<String> expectedNames(String type) {
    Set<String> names = new TreeSet<>();
    List<String> modules;
    String layer;
    names.add("embeddings.word_embeddings.weight");
    names.add("embeddings.position_embeddings.weight");
    switch (type) {
      case "distilbert" -> {
        layer = "transformer.layer.";
        modules = List.of("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
            "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm");
      }
      case "mpnet" -> {
        layer = "encoder.layer.";
        modules = List.of("attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
            "attention.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm");
        names.add("encoder.relative_attention_bias.weight");
      }
      default -> {
        layer = "encoder.layer.";
        modules = List.of("attention.self.query", "attention.self.key", "attention.self.value",
            "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense", "output.dense",
            "output.LayerNorm");
        names.add("embeddings.token_type_embeddings.weight");
      }
    }
    names.add("embeddings.LayerNorm.weight");
    names.add("embeddings.LayerNorm.bias");
    for (int i = 0; i < 2; i++) {
      for (String module : modules) {
        names.add(layer + i + "." + module + ".weight");
        names.add(layer + i + "." + module + ".bias");
      }
    }
    return names;
  }
}
