package dev.stt.operator.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stt.operator.Trainings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the Argo CD health check with Debian's Lua (.ci/run installs lua5.4) over a status of every phase. */
class ArgoHealthCheckTest {
  private static final Path LUA = Path.of("/usr/bin/lua5.4");

  @Test
  void mapsEveryPhaseToArgoHealth() throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(LUA) || System.getenv("CI") != null, "lua5.4 is not installed: apt-get install lua5.4");
    Process lua = new ProcessBuilder(LUA.toString(), Trainings.REPO.resolve("gitops/argocd/health_test.lua").toString())
        .redirectErrorStream(true).start();
    assertThat(lua.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(lua.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(lua.exitValue()).as(output).isZero();
    assertThat(output).contains("10 passed, 0 failed");
  }
}
