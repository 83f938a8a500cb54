package dev.stt.local.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress: on a terminal one bar redrawn in place (step, loss, samples/s, ETA); otherwise, as in logs and
 * CI, a plain line every {@code every} steps and at the last.
 */
public final class Progress {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter out;
  private final boolean terminal;
  private final int every;
  private int total;
  private long lastDraw;
  private boolean barShown;

  public Progress(PrintWriter out, boolean terminal, int every) {
    this.out = out;
    this.terminal = terminal;
    this.every = every;
  }

  public void start(int totalSteps) {
    total = totalSteps;
  }

  public void step(int step, float loss, double samplesPerSecond, double secondsLeft) {
    String stats = String.format(Locale.ROOT, "%d/%d loss %.4f %.1f samples/s ETA %s", step, total, loss,
        samplesPerSecond, clock(secondsLeft));
    if (terminal) {
      long now = System.nanoTime();
      if (now - lastDraw >= REDRAW_NANOS || step == total) {
        int filled = total == 0 ? WIDTH : step * WIDTH / total;
        out.print("\r[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + stats + "\033[K");
        out.flush();
        lastDraw = now;
        barShown = true;
      }
    } else if (step % every == 0 || step == total) {
      out.println("step " + stats);
      out.flush();
    }
  }

  /** A message between steps; on a terminal it goes above the bar. */
  public void line(String message) {
    if (barShown) {
      out.print("\r\033[K");
      barShown = false;
    }
    out.println(message);
  }

  public void finish() {
    if (barShown) {
      out.println();
      barShown = false;
    }
  }

  static String clock(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
