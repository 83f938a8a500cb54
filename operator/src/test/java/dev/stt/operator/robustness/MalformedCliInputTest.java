package dev.stt.operator.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

import dev.stt.operator.Trainings;
import dev.stt.operator.cli.CliRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed input to {@code stt-operator validate} and {@code render}: exit code 2 and a message, never a crash. */
class MalformedCliInputTest {
  private static final String VALID = """
      apiVersion: stt.dev/v1alpha1
      kind: SentenceTransformerTraining
      metadata: {name: ok}
      spec:
        recipe: sts
        model: {name: sentence-transformers/all-mpnet-base-v2}
        output: {claimName: models}
      """;
  private static final String VALID_JSON = "{\"apiVersion\": \"stt.dev/v1alpha1\", \"kind\":"
      + " \"SentenceTransformerTraining\", \"metadata\": {\"name\": \"ok\"}, \"spec\": {\"recipe\": \"sts\","
      + " \"model\": {\"name\": \"bert-base-uncased\"}, \"output\": {\"claimName\": \"models\"}}}";

  @TempDir
  Path dir;


  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> malformed() throws IOException {
    byte[] random = new byte[4096];
    new Random(6).nextBytes(random);
    String example = Files.readString(Trainings.EXAMPLES.resolve("sts-mpnet-1card.yaml"));
    return Stream.of(
        argumentSet("empty file", new byte[0], "no SentenceTransformerTraining in the file"),
        argumentSet("only comments", utf8("# nothing here\n# at all\n"), "no SentenceTransformerTraining in the file"),
        argumentSet("only document separators", utf8("---\n---\n"), "no SentenceTransformerTraining in the file"),
        argumentSet("YAML cut in the middle of a flow mapping", utf8(VALID.replace("{claimName: models}",
            "{claimName: mod")), "not valid YAML or JSON"),
        argumentSet("the example cut in half", utf8(example.substring(0, example.indexOf("model:") + 8)),
            "spec.model"),
        argumentSet("JSON cut short", utf8(VALID_JSON.substring(0, VALID_JSON.length() / 2)),
            "not valid YAML or JSON"),
        argumentSet("JSON with trailing garbage", utf8(VALID_JSON + " trailing"), "not valid YAML or JSON"),
        argumentSet("JSON with a trailing brace", utf8(VALID_JSON + "}"), "not valid YAML or JSON"),
        argumentSet("a JSON list instead of an object", utf8("[" + VALID_JSON + "]"),
            "expected a SentenceTransformerTraining object"),
        argumentSet("a YAML list instead of an object", utf8("- " + VALID.strip().replace("\n", "\n  ")),
            "expected a SentenceTransformerTraining object"),
        argumentSet("a scalar", utf8("42\n"), "expected a SentenceTransformerTraining object"),
        argumentSet("random bytes", random, "not valid YAML or JSON"),
        argumentSet("NUL bytes in the text", utf8(VALID.replace("name: ok", "name: o\u0000k")), "not valid YAML"),
        argumentSet("Latin-1, not UTF-8", VALID.replace("name: ok", "name: é").getBytes(StandardCharsets.ISO_8859_1),
            "not valid YAML or JSON"),
        argumentSet("tabs for indentation", utf8(VALID.replace("  recipe: sts", "\trecipe: sts")),
            "not valid YAML or JSON"),
        argumentSet("a Pod", utf8("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"),
            "no SentenceTransformerTraining in the file"),
        argumentSet("kind missing", utf8(VALID.replace("kind: SentenceTransformerTraining\n", "")), "kind"),
        argumentSet("wrong kind spelled close", utf8(VALID.replace("kind: SentenceTransformerTraining",
            "kind: SentenceTransformerTrainings")), "no SentenceTransformerTraining in the file"),
        argumentSet("wrong apiVersion", utf8(VALID.replace("stt.dev/v1alpha1", "stt.dev/v1")),
            "apiVersion = stt.dev/v1: must be stt.dev/v1alpha1"),
        argumentSet("apiVersion missing", utf8(VALID.replace("apiVersion: stt.dev/v1alpha1\n", "")),
            "apiVersion"),
        argumentSet("metadata missing", utf8(VALID.replace("metadata: {name: ok}\n", "")), "metadata.name"),
        argumentSet("spec null", utf8(VALID.substring(0, VALID.indexOf("spec:")) + "spec: null\n"), "spec"),
        argumentSet("spec a string", utf8(VALID.substring(0, VALID.indexOf("spec:")) + "spec: train please\n"),
            "spec"),
        argumentSet("an alias bomb", utf8("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
            + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
            + "e: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n"
            + "g: &g [*f, *f, *f, *f, *f, *f, *f, *f]\n"), "(unnamed) is invalid"),
        argumentSet("learningRate not a number", utf8(VALID.replace("output:", "training: {learningRate: .nan}\n  output:")),
            "Malformed numeric value '.nan' at line 7"),
        argumentSet("warmupRatio infinite", utf8(VALID.replace("output:", "training: {warmupRatio: .inf}\n  output:")),
            "Malformed numeric value '.inf' at line 7"),
        argumentSet("nesting 5000 deep", utf8("[".repeat(5000) + "]".repeat(5000)), "not valid YAML or JSON"),
        argumentSet("a valid and an invalid document", utf8(VALID + "---\n" + VALID.replace("name: ok", "name: bad")
            .replace("recipe: sts", "recipe: classify")), "spec.recipe = classify"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void validateExitsTwoWithAMessage(byte[] content, String expected) throws IOException {
    Path file = Files.write(dir.resolve("input.yaml"), content);
    CliRun r = CliRun.of("validate", "-f", file.toString());
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.err()).contains(expected).doesNotContain("\tat ", "Exception in");
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void renderExitsTwoWithAMessageAndPrintsNothing(byte[] content, String expected) throws IOException {
    Path file = Files.write(dir.resolve("input.yaml"), content);
    CliRun r = CliRun.of("render", "-f", file.toString());
    assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
    assertThat(r.err()).isNotBlank().doesNotContain("\tat ", "Exception in");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aDirectoryOrAMissingFileIsNamed() {
    CliRun directory = CliRun.of("validate", "-f", dir.toString());
    assertThat(directory.exitCode()).isEqualTo(2);
    assertThat(directory.err()).contains(dir.toString());
    CliRun missing = CliRun.of("validate", "-f", dir.resolve("absent.yaml").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("absent.yaml");
  }
}
