package dev.stt.local;

import dev.stt.api.plan.RunPlanner;
import java.nio.file.Path;

/**
 * The workers' volume mounts mapped to local folders: {@code /cache/} (spec.cache, the Hugging Face home) to
 * {@code --cache}, {@code /output/} (spec.output) to {@code --out}. The same resource file thus runs in a pod and here.
 */
public record Volumes(Path cache, Path output) {

  public Path local(String podPath) {
    if (podPath.startsWith(RunPlanner.CACHE_MOUNT + "/")) {
      return cache.resolve(podPath.substring(RunPlanner.CACHE_MOUNT.length() + 1));
    }
    if (podPath.startsWith(RunPlanner.OUTPUT_MOUNT + "/")) {
      return output.resolve(podPath.substring(RunPlanner.OUTPUT_MOUNT.length() + 1));
    }
    throw new IllegalArgumentException(podPath + " is on neither volume");
  }

  /** Where the Hugging Face home is by default, as huggingface_hub finds it. */
  public static Path defaultCache() {
    String home = System.getenv("HF_HOME");
    return home != null ? Path.of(home) : Path.of(System.getProperty("user.home"), ".cache", "huggingface");
  }
}
