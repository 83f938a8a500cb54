package dev.stt.local.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.stt.api.v1alpha1.Recipe;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a dataset file (JSONL, or CSV with a header) into examples, as the trainer does: columns mapped by the
 * entry's {@code columns}, similarity scores on the STS scale 0..5 brought to 0..1, NLI labels by number or name.
 */
public final class DataFiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** As sentence-transformers/all-nli (pair-class) numbers them. */
  private static final List<String> NLI_LABELS = List.of("entailment", "neutral", "contradiction");

  /** One entry of the plan's datasets: where it is, what it is for, how its columns are named. */
  public record Source(String where, Path file, String split, Map<String, String> columns, Integer maxSamples) {}

  private DataFiles() {}

  public static List<Example> read(Source source, Recipe recipe) throws IOException {
    if (!Files.isRegularFile(source.file())) {
      throw new DataException(source.where() + ": no such file " + source.file());
    }
    List<JsonNode> rows = rows(source);
    if (rows.isEmpty()) {
      throw new DataException(source.where() + ": " + source.file() + " has no rows");
    }
    boolean train = source.split().equals("train");
    List<String> required = !train || recipe == Recipe.STS ? List.of("sentence1", "sentence2", "score")
        : recipe == Recipe.NLI ? List.of("premise", "hypothesis", "label") : List.of("anchor", "positive");
    List<String> names = new ArrayList<>();
    for (String column : required) {
      names.add(source.columns().getOrDefault(column, column));
    }
    String negative = source.columns().getOrDefault("negative", "negative");
    boolean paraphrases = train && recipe == Recipe.PARAPHRASES;
    List<String> present = fieldNames(rows.get(0));
    if (paraphrases && source.columns().isEmpty() && !present.containsAll(names) && present.size() >= 2) {
      // As upstream trains on (text, simplified) or (caption1, caption2): text columns by position.
      names = present.subList(0, 2);
      negative = present.size() > 2 ? present.get(2) : negative;
    }
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      String at = source.where() + " (" + source.file().getFileName() + " row " + (i + 1) + ")";
      for (String name : names) {
        if (!row.hasNonNull(name)) {
          throw new DataException(at + ": no column " + name + " (the row has " + fieldNames(row)
              + "); map the recipe's columns with datasets[].columns, e.g. {" + required.get(0) + ": ...}");
        }
      }
      List<String> texts = new ArrayList<>(List.of(row.get(names.get(0)).asText(), row.get(names.get(1)).asText()));
      if (paraphrases && row.hasNonNull(negative)) {
        texts.add(row.get(negative).asText());
      }
      float label = paraphrases ? 0 : names.size() > 2 ? label(row.get(names.get(2)), recipe, train, at) : 0;
      examples.add(new Example(List.copyOf(texts), label));
    }
    return required.contains("score") ? scaled(examples, source.where()) : examples;
  }

  private static List<JsonNode> rows(Source source) throws IOException {
    boolean csv = source.file().getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
    List<JsonNode> rows = new ArrayList<>();
    int limit = source.maxSamples() == null ? Integer.MAX_VALUE : source.maxSamples();
    if (csv) {
      CsvMapper mapper = new CsvMapper();
      try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class)
          .with(CsvSchema.emptySchema().withHeader()).readValues(source.file().toFile())) {
        while (it.hasNextValue() && rows.size() < limit) {
          rows.add(it.nextValue());
        }
      } catch (RuntimeException e) {
        throw new DataException(source.where() + ": " + source.file() + " is not valid CSV: " + e.getMessage());
      }
      return rows;
    }
    try (BufferedReader in = Files.newBufferedReader(source.file())) {
      int lineNumber = 0;
      for (String line = in.readLine(); line != null && rows.size() < limit; line = in.readLine()) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        try {
          JsonNode row = JSON.readTree(line);
          if (!row.isObject()) {
            throw new DataException(source.where() + ": " + source.file() + " line " + lineNumber
                + " is not a JSON object");
          }
          rows.add(row);
        } catch (JsonProcessingException e) {
          throw new DataException(source.where() + ": " + source.file() + " line " + lineNumber
              + " is not JSON (JSONL needs one object per line): " + e.getOriginalMessage());
        }
      }
    }
    return rows;
  }

  private static List<String> fieldNames(JsonNode row) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  private static float label(JsonNode value, Recipe recipe, boolean train, String at) {
    if (train && recipe == Recipe.NLI) {
      String text = value.asText().trim().toLowerCase(Locale.ROOT);
      if (NLI_LABELS.contains(text)) {
        return NLI_LABELS.indexOf(text);
      }
      if (text.matches("[0-2]")) {
        return Integer.parseInt(text);
      }
      throw new DataException(at + ": label " + value + " is neither 0..2 nor one of " + NLI_LABELS);
    }
    try {
      return Float.parseFloat(value.asText());
    } catch (NumberFormatException e) {
      throw new DataException(at + ": score " + value + " is not a number");
    }
  }

  /** Scores on 0..1 stay, scores on the STS scale 0..5 are divided by 5, anything else is an error. */
  private static List<Example> scaled(List<Example> examples, String where) {
    double low = examples.stream().mapToDouble(Example::label).min().orElse(0);
    double high = examples.stream().mapToDouble(Example::label).max().orElse(0);
    if (high <= 1 && low >= -1) {
      return examples;
    }
    if (low >= 0 && high <= 5) {
      return examples.stream().map(e -> new Example(e.texts(), e.label() / 5)).toList();
    }
    throw new DataException(where + ": scores lie in " + low + ".." + high + "; expected 0..1 or the STS scale 0..5");
  }
}
