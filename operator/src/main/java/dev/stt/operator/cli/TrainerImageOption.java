package dev.stt.operator.cli;

import dev.stt.operator.OperatorSettings;
import picocli.CommandLine.Option;

/** The trainer image for resources that name none: the same option for run and render. */
final class TrainerImageOption {
  @Option(names = "--trainer-image", defaultValue = "${env:STT_TRAINER_IMAGE:-" + OperatorSettings.DEFAULT_TRAINER_IMAGE
      + "}", description = "Trainer image for resources that name none (env STT_TRAINER_IMAGE). Default: ${DEFAULT-VALUE}.")
  String image;
}
