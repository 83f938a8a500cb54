package dev.stt.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** stt-operator: runs the operator, or renders and validates resources without a cluster. */
@Command(name = "stt-operator", mixinStandardHelpOptions = true, version = "stt-operator 0.1.0",
    description = "Kubernetes operator that fine-tunes Sentence Transformers on Intel Gaudi.",
    subcommands = {RunCommand.class, RenderCommand.class, ValidateCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the operator when no subcommand is given (only run's options, or nothing), as an entrypoint expects. */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new Main());
    boolean runOptionsOnly = args.length > 0 && args[0].startsWith("--") && !args[0].equals("--help")
        && !args[0].equals("--version");
    if (args.length == 0 || runOptionsOnly) {
      String[] withRun = new String[args.length + 1];
      withRun[0] = "run";
      System.arraycopy(args, 0, withRun, 1, args.length);
      return cli.execute(withRun);
    }
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
