package dev.stt.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs stt-local in-process, capturing what it prints. */
record Cli(int exitCode, String out, String err) {

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** {@code train} on a resource given as text: /cache/ is {@code cache}, /output/ is {@code dir/out}. */
  static Cli train(Path cache, Path dir, String resource) throws IOException {
    Path file = dir.resolve("resource.yaml");
    Files.writeString(file, resource);
    return run("train", "-f", file.toString(), "--cache", cache.toString(), "--out", dir.resolve("out").toString(),
        "--offline", "--threads", "2");
  }
}
