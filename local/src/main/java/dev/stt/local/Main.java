package dev.stt.local;

import ai.djl.ndarray.NDManager;
import dev.stt.local.model.ModelException;
import dev.stt.local.model.SentenceModel;
import dev.stt.local.tiny.TinyInit;
import dev.stt.local.train.DataException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** stt-local: trains a SentenceTransformerTraining on this machine's CPU, no cluster needed. */
@Command(name = "stt-local", mixinStandardHelpOptions = true, version = "stt-local 0.1.0",
    description = "Runs a SentenceTransformerTraining on this machine's CPU (DJL, PyTorch), offline.",
    subcommands = {Main.Train.class, Main.Encode.class, Main.InitTiny.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err);
    // Bad inputs get one line saying what to fix, not a stack trace.
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof ModelException || e instanceof DataException || e instanceof IOException) {
        command.getErr().println("stt-local: " + (e instanceof java.nio.file.NoSuchFileException
            ? "no such file " + e.getMessage() : e.getMessage()));
        command.getErr().flush();
        return LocalRun.INVALID;
      }
      throw e;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "train", description = "Train as the resource says. Its volumes map to local folders: /output/ to"
      + " --out, /cache/ (the Hugging Face home) to --cache. Writes the model (sentence-transformers layout) and"
      + " metrics.json to --out. Exit code 2: invalid resource or inputs.")
  static final class Train implements Callable<Integer> {
    @Option(names = {"-f", "--file"}, required = true, description = "YAML or JSON SentenceTransformerTraining.")
    Path file;

    @Option(names = "--out", required = true, description = "Folder for the model and metrics.json; /output/.")
    Path out;

    @Option(names = "--cache", description = "Folder that /cache/ maps to, also the Hugging Face home for model ids."
        + " Default: $HF_HOME or ~/.cache/huggingface.")
    Path cache;

    @Option(names = "--init-tiny", description = "First write a tiny random model and synthetic STS data where the"
        + " resource expects them (model.name's parent: model/ and data/).")
    boolean initTiny;

    @Option(names = "--threads", description = "CPU threads for PyTorch. Default: all cores.")
    Integer threads;

    @Option(names = "--offline", description = "Never download a model named by Hugging Face id (as HF_HUB_OFFLINE=1).")
    boolean offline;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      int cores = threads != null ? threads : Runtime.getRuntime().availableProcessors();
      Djl.configure(cores);
      LocalRun.Options options = new LocalRun.Options(file, out, cache != null ? cache : Volumes.defaultCache(),
          initTiny, cores, offline);
      return new LocalRun(options, spec.commandLine().getOut(), spec.commandLine().getErr(), System.console() != null)
          .run();
    }
  }

  @Command(name = "encode", description = "Print the embedding of each text, one JSON array per line.")
  static final class Encode implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model folder (sentence-transformers layout).")
    Path model;

    @Option(names = "--batch-size", defaultValue = "32", description = "Texts per forward pass. Default: 32.")
    int batchSize;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to embed.")
    List<String> texts;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Djl.configure(Runtime.getRuntime().availableProcessors());
      PrintWriter out = spec.commandLine().getOut();
      try (NDManager manager = NDManager.newBaseManager();
           SentenceModel sentenceModel = SentenceModel.load(manager, model, null, n -> { })) {
        for (float[] embedding : sentenceModel.encode(texts, batchSize)) {
          out.println(Arrays.toString(embedding));
        }
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "init-tiny", description = "Write a tiny random BERT to DIR/model/ and synthetic STS pairs to"
      + " DIR/data/{train,dev,test}.jsonl.")
  static final class InitTiny implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Folder to write.")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      Djl.configure(Runtime.getRuntime().availableProcessors());
      try (NDManager manager = NDManager.newBaseManager()) {
        TinyInit.write(manager, dir);
      }
      spec.commandLine().getOut().println("wrote " + dir.resolve("model") + " and " + dir.resolve("data"));
      return 0;
    }
  }
}
