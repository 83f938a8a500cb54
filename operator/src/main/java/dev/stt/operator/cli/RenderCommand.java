package dev.stt.operator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stt.api.validation.TrainingValidator;
import dev.stt.operator.render.TrainingRenderer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "render", description = "Print every object the operator would create for a resource, without a"
    + " cluster.")
final class RenderCommand implements Callable<Integer> {
  enum Format { yaml, json }

  @Option(names = {"-f", "--file"}, required = true, description = "YAML or JSON file with a"
      + " SentenceTransformerTraining.")
  Path file;

  @Option(names = {"-o", "--output"}, defaultValue = "yaml", description = "yaml (documents) or json (one List).")
  Format format;

  @Mixin
  TrainerImageOption trainerImage;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    List<HasMetadata> objects = new ArrayList<>();
    try {
      for (JsonNode doc : ResourceFiles.read(file)) {
        TrainingValidator.Outcome outcome = TrainingValidator.bundled().validate(doc);
        if (!outcome.valid()) {
          ResourceFiles.printProblems(err, file, doc, outcome.problems());
          err.flush();
          return ValidateCommand.INVALID;
        }
        var training = outcome.resource();
        if (training.getMetadata().getNamespace() == null) {
          training.getMetadata().setNamespace("default");
        }
        objects.addAll(TrainingRenderer.render(training, outcome.planned().plan(), trainerImage.image));
      }
    } catch (IOException e) {
      err.println(file + ": " + e.getMessage());
      err.flush();
      return ValidateCommand.INVALID;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.json) {
      out.println(Serialization.asJson(new KubernetesListBuilder().withItems(objects).build()));
    } else {
      objects.forEach(o -> out.print(Serialization.asYaml(o)));
    }
    out.flush();
    return 0;
  }
}
