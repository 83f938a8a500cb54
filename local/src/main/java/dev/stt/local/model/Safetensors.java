package dev.stt.local.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The safetensors format: an 8-byte header length, a JSON header, then the tensors' little-endian bytes. */
public final class Safetensors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  /**
   * Reads every tensor by name, whole (encoder checkpoints are small). bfloat16 tensors become float32 here: DJL's
   * PyTorch engine cannot hold bfloat16 arrays.
   */
  public static Map<String, NDArray> read(NDManager manager, Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = bytes.length >= 8 ? buffer.getLong(0) : -1;
    if (headerLength < 2 || headerLength > bytes.length - 8) {
      throw new IOException(file + " is not a safetensors file");
    }
    JsonNode header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    int base = 8 + (int) headerLength;
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    for (var entry : (Iterable<Map.Entry<String, JsonNode>>) header::fields) {
      if (entry.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode info = entry.getValue();
      long[] shape = new long[info.path("shape").size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = info.path("shape").get(i).asLong();
      }
      int start = base + info.path("data_offsets").get(0).asInt();
      int end = base + info.path("data_offsets").get(1).asInt();
      ByteBuffer data = ByteBuffer.wrap(bytes, start, end - start).slice().order(ByteOrder.LITTLE_ENDIAN);
      String dtype = info.path("dtype").asText();
      NDArray array = dtype.equals("BF16") ? manager.create(bf16ToFloat(data), new Shape(shape))
          : manager.create(data, new Shape(shape), DataType.fromSafetensors(dtype));
      array.setName(entry.getKey());
      tensors.put(entry.getKey(), array);
    }
    return tensors;
  }

  /** bfloat16 is the upper half of a float32. */
  private static float[] bf16ToFloat(ByteBuffer data) {
    float[] values = new float[data.remaining() / 2];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat((data.getShort(2 * i) & 0xffff) << 16);
    }
    return values;
  }

  /**
   * Writes tensors sorted by name with {@code __metadata__: {format: pt}}, which transformers checks, and the header
   * padded to 8 bytes as the reference writer does.
   */
  public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject("__metadata__").put("format", "pt");
    Map<String, NDArray> sorted = new TreeMap<>(tensors);
    long offset = 0;
    for (var entry : sorted.entrySet()) {
      NDArray array = entry.getValue();
      long size = array.size() * array.getDataType().getNumOfBytes();
      ObjectNode tensor = header.putObject(entry.getKey());
      tensor.put("dtype", array.getDataType().asSafetensors());
      var shape = tensor.putArray("shape");
      for (long d : array.getShape().getShape()) {
        shape.add(d);
      }
      tensor.putArray("data_offsets").add(offset).add(offset + size);
      offset += size;
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    java.util.Arrays.fill(headerBytes, (byte) ' ');
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
      out.write(headerBytes);
      for (NDArray array : sorted.values()) {
        ByteBuffer data = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        out.write(bytes);
      }
    }
  }
}
