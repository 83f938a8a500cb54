package dev.stt.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stt.local.model.ModelException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Hugging Face model ids in the standard cache layout under the Hugging Face home ({@code hub/models--org--name/refs}
 * and {@code snapshots/<commit>/}), so the local runner and huggingface_hub share downloads. A cached snapshot is
 * used as it is; a missing one is downloaded unless offline.
 */
final class HubModels {
  /** What a sentence-transformers model needs: its JSON and text files, safetensors weights, module configs. */
  private static final Pattern NEEDED = Pattern.compile("[^/]+\\.(json|txt)|model\\.safetensors|\\d+_\\w+/config\\.json");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private HubModels() {}

  static Path resolve(String id, String revision, Path hfHome, boolean offline, Consumer<String> log) {
    Path repo = hfHome.resolve("hub").resolve("models--" + id.replace("/", "--"));
    String ref = revision == null ? "main" : revision;
    Path cached = cached(repo, ref);
    if (cached != null) {
      return cached;
    }
    if (offline) {
      throw notAvailable(id, repo, "offline (--offline or HF_HUB_OFFLINE=1)");
    }
    try {
      return download(id, ref, repo, log);
    } catch (IOException e) {
      throw notAvailable(id, repo, e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw notAvailable(id, repo, "interrupted");
    }
  }

  private static Path cached(Path repo, String ref) {
    try {
      String commit = COMMIT.matcher(ref).matches() ? ref
          : Files.exists(repo.resolve("refs").resolve(ref)) ? Files.readString(repo.resolve("refs").resolve(ref)).trim()
          : null;
      Path snapshot = commit == null ? null : repo.resolve("snapshots").resolve(commit);
      return snapshot != null && Files.exists(snapshot.resolve("config.json")) ? snapshot : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static Path download(String id, String ref, Path repo, Consumer<String> log)
      throws IOException, InterruptedException {
    String endpoint = System.getenv().getOrDefault("HF_ENDPOINT", "https://huggingface.co");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    JsonNode info = JSON.readTree(get(http, endpoint + "/api/models/" + id + "/revision/" + ref,
        HttpResponse.BodyHandlers.ofString()));
    String commit = info.path("sha").asText();
    Path snapshot = repo.resolve("snapshots").resolve(commit);
    for (JsonNode sibling : info.path("siblings")) {
      String file = sibling.path("rfilename").asText();
      if (NEEDED.matcher(file).matches()) {
        log.accept("downloading " + id + "/" + file);
        Path target = snapshot.resolve(file);
        Files.createDirectories(target.getParent());
        Path part = get(http, endpoint + "/" + id + "/resolve/" + commit + "/" + file,
            HttpResponse.BodyHandlers.ofFile(target.resolveSibling(target.getFileName() + ".part")));
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs").resolve(ref), commit);
    return snapshot;
  }

  private static <T> T get(HttpClient http, String url, HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(30));
    String token = System.getenv("HF_TOKEN");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<T> response = http.send(request.build(), body);
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " answered HTTP " + response.statusCode());
    }
    return response.body();
  }

  private static ModelException notAvailable(String id, Path repo, String why) {
    return new ModelException("model " + id + " is not in the Hugging Face cache (" + repo + ") and cannot be"
        + " downloaded: " + why + ". Point at a local directory instead: copy the model (config.json,"
        + " model.safetensors, tokenizer.json, modules.json, 1_Pooling/) under the cache folder (--cache) and set"
        + " model.name: /cache/<its folder>, e.g. after `huggingface-cli download " + id + " --local-dir"
        + " <cache>/models/" + id.replace('/', '-') + "` on a machine with network");
  }
}
