package dev.stt.local.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  @Test
  void spearmanGivesTiesTheirMeanRank() {
    // scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
    assertThat(Evaluator.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 3, 2, 4}))
        .isCloseTo(0.9486832980505138, Offset.offset(1e-12));
    assertThat(Evaluator.spearman(new double[] {3, 2, 1}, new double[] {1, 2, 3})).isEqualTo(-1.0);
  }

  @Test
  void progressPrintsPlainLinesWhenNotOnATerminal() {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text), false, 2);
    progress.start(3);
    for (int step = 1; step <= 3; step++) {
      progress.step(step, 0.5f, 100, 3 - step);
    }
    progress.finish();

    assertThat(text.toString().lines()).containsExactly("step 2/3 loss 0.5000 100.0 samples/s ETA 0:01",
        "step 3/3 loss 0.5000 100.0 samples/s ETA 0:00");
  }

  @Test
  void progressRedrawsOneBarOnATerminal() {
    StringWriter text = new StringWriter();
    Progress progress = new Progress(new PrintWriter(text), true, 2);
    progress.start(2);
    progress.step(1, 0.5f, 100, 65);
    progress.line("step 1: validation Spearman 0.5");
    progress.step(2, 0.25f, 100, 0);
    progress.finish();

    assertThat(text.toString()).startsWith("\r[###############---------------] 1/2 loss 0.5000 100.0 samples/s"
        + " ETA 1:05").contains("\r\033[Kstep 1: validation Spearman 0.5\n").endsWith("ETA 0:00\033[K\n");
  }
}
