package dev.stt.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stt.api.plan.Plan;
import dev.stt.api.validation.TrainingValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", description = "Check a resource as the API server and the operator would, and print its"
    + " plan. Exit code 0: valid; 2: invalid (each problem printed).")
final class ValidateCommand implements Callable<Integer> {
  static final int INVALID = 2;

  @Option(names = {"-f", "--file"}, required = true, description = "YAML or JSON file with a"
      + " SentenceTransformerTraining.")
  Path file;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    java.util.List<JsonNode> docs;
    try {
      docs = ResourceFiles.read(file);
    } catch (IOException e) {
      err.println(file + ": " + e.getMessage());
      return INVALID;
    }
    boolean allValid = true;
    for (JsonNode doc : docs) {
      TrainingValidator.Outcome outcome = TrainingValidator.bundled().validate(doc);
      String name = doc.path("metadata").path("name").asText("(unnamed)");
      if (outcome.valid()) {
        out.println(file + ": " + name + " is valid");
        printPlan(out, outcome.planned().plan());
      } else {
        allValid = false;
        ResourceFiles.printProblems(err, file, doc, outcome.problems());
      }
    }
    out.flush();
    err.flush();
    return allValid ? 0 : INVALID;
  }

  static void printPlan(PrintWriter out, Plan plan) {
    out.println("  recipe:      " + plan.recipe().value() + " on " + plan.model().name());
    out.println("  topology:    " + plan.topology() + " cards, world size " + plan.topology().worldSize()
        + ", launcher " + plan.topology().launcher());
    out.println("  training:    " + (plan.lora().enabled() ? "LoRA r=" + plan.lora().r() + " on "
        + plan.lora().targetModules() : "full fine-tune") + (plan.zeroStage() > 0 ? ", ZeRO-" + plan.zeroStage() : "")
        + (plan.bf16() ? ", bf16" : ", fp32") + ", gradient checkpointing "
        + (plan.training().gradientCheckpointing() ? "on" : "off") + ", HPU graphs "
        + (plan.training().hpuGraphs() ? "on" : "off"));
    out.println("  memory:      " + plan.memory().explanation()
        + (plan.memory().fits() == null ? "" : plan.memory().fits() ? ": fits" : ": does not fit"));
  }
}
