package dev.stt.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stt.api.v1alpha1.SentenceTransformerTraining;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the SentenceTransformerTraining documents of a YAML or JSON file; other kinds (e.g. PVCs) are skipped. */
final class ResourceFiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ResourceFiles() {}

  /** Prints why a resource is invalid, one problem a line. */
  static void printProblems(java.io.PrintWriter err, Path file, JsonNode doc,
      java.util.List<dev.stt.api.validation.Problem> problems) {
    err.println(dev.stt.api.validation.Problem.report(file.toString(),
        doc.path("metadata").path("name").asText("(unnamed)"), problems));
  }

  static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> trainings = new ArrayList<>();
    try (var parser = YAML.getFactory().createParser(Files.newBufferedReader(file))) {
      var docs = YAML.readValues(parser, JsonNode.class);
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()
            && (!doc.isObject() || SentenceTransformerTraining.KIND.equals(doc.path("kind").asText())
                || !doc.has("kind"))) {
          trainings.add(doc);
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException("not valid YAML or JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr()), e);
    } catch (RuntimeException e) {
      // Jackson wraps parse errors met while iterating documents.
      if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException p) {
        throw new IOException("not valid YAML or JSON: " + p.getOriginalMessage(), p);
      }
      throw e;
    }
    if (trainings.isEmpty()) {
      throw new IOException("no " + SentenceTransformerTraining.KIND + " in the file");
    }
    return trainings;
  }
}
