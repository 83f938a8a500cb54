package dev.stt.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** YAML and JSON-pointer helpers shared by the api tests. */
public final class TestResources {
  public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The repository root, seen from the api module (surefire's working directory). */
  public static final Path REPO = Path.of("..");

  private TestResources() {}

  public static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode yamlObject(String text) {
    return (ObjectNode) yaml(text);
  }

  public static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets the value at a JSON pointer such as /spec/lora/r, creating missing objects on the way. */
  public static void set(ObjectNode root, String pointer, JsonNode value) {
    String[] segments = segments(pointer);
    JsonNode parent = parentOf(root, segments, true);
    String last = segments[segments.length - 1];
    if (parent instanceof ArrayNode array) {
      int index = Integer.parseInt(last);
      if (index == array.size()) {
        array.add(value);
      } else {
        array.set(index, value);
      }
    } else {
      ((ObjectNode) parent).set(last, value);
    }
  }

  private static JsonNode parentOf(ObjectNode root, String[] segments, boolean create) {
    JsonNode parent = root;
    for (int i = 0; i < segments.length - 1; i++) {
      parent = child(parent, segments[i], create);
    }
    return parent;
  }

  /** Removes the value at a JSON pointer; the path up to it must exist. */
  public static void remove(ObjectNode root, String pointer) {
    String[] segments = segments(pointer);
    JsonNode parent = parentOf(root, segments, false);
    String last = segments[segments.length - 1];
    if (parent instanceof ArrayNode array) {
      array.remove(Integer.parseInt(last));
    } else if (((ObjectNode) parent).remove(last) == null) {
      throw new IllegalArgumentException(pointer + " is not set");
    }
  }

  private static JsonNode child(JsonNode parent, String segment, boolean create) {
    if (parent instanceof ArrayNode array) {
      JsonNode next = array.get(Integer.parseInt(segment));
      if (next == null) {
        throw new IllegalArgumentException("no item " + segment);
      }
      return next;
    }
    ObjectNode object = (ObjectNode) parent;
    JsonNode next = object.get(segment);
    if (next == null || next.isNull()) {
      if (!create) {
        throw new IllegalArgumentException("no field " + segment);
      }
      next = object.putObject(segment);
    }
    return next;
  }

  private static String[] segments(String pointer) {
    if (!pointer.startsWith("/") || pointer.length() < 2) {
      throw new IllegalArgumentException("not a JSON pointer: " + pointer);
    }
    return pointer.substring(1).split("/");
  }
}
