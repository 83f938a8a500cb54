package dev.stt.operator.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.stt.operator.Trainings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

/** trainer-image/train-config.schema.json, the documented shape of train.json. */
final class TrainConfigSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA = load();

  private TrainConfigSchema() {}

  static Set<ValidationMessage> validate(String trainJson) {
    try {
      return SCHEMA.validate(JSON.readTree(trainJson));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonSchema load() {
    try {
      JsonNode schema = JSON.readTree(Trainings.REPO.resolve("trainer-image/train-config.schema.json").toFile());
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
