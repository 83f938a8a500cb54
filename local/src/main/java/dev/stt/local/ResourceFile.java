package dev.stt.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The one SentenceTransformerTraining of a YAML or JSON file; other kinds (e.g. PVCs) are skipped. */
final class ResourceFile {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ResourceFile() {}

  static JsonNode read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such file " + file);
    }
    List<JsonNode> trainings = new ArrayList<>();
    try (var docs = YAML.readValues(YAML.getFactory().createParser(file.toFile()), JsonNode.class)) {
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        if (doc != null && doc.isObject()
            && (!doc.has("kind") || SentenceTransformerTraining.KIND.equals(doc.path("kind").asText()))) {
          trainings.add(doc);
        }
      }
    } catch (JsonProcessingException | RuntimeException e) {
      Throwable cause = e instanceof JsonProcessingException ? e : e.getCause();
      if (cause instanceof JsonProcessingException p) {
        throw new IOException(file + " is not valid YAML or JSON: " + p.getOriginalMessage()
            + (p.getLocation() == null ? "" : " at line " + p.getLocation().getLineNr()), p);
      }
      throw e;
    }
    if (trainings.size() != 1) {
      throw new IOException(file + " holds " + trainings.size() + " " + SentenceTransformerTraining.KIND
          + " resources; a local run takes exactly one");
    }
    return trainings.get(0);
  }
}
