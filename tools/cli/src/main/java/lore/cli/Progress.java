package lore.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import lore.TrainListener;
import lore.datasets.ProgressListener;

/**
 * Progress on stderr, of training steps ({@code step/steps, loss}) and of data steps (embedding
 * texts: {@code task done/total}), with elapsed time and an ETA. On a terminal one line is
 * rewritten in place with {@code '\r'} (at most ten times a second); otherwise (a pipe, a log file,
 * a test) a plain line is printed at every tenth of the run, so logs stay readable.
 */
final class Progress implements TrainListener, ProgressListener {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String label;
  private final boolean live;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long firstDone = -1; // the rate excludes the setup before the first step
  private long firstNanos;
  private long lastTenth = -1;
  private int lastWidth;

  Progress(PrintWriter err, String label, boolean live) {
    this.err = err;
    this.label = label;
    this.live = live;
  }

  /** Whether stderr can be redrawn in place: the JVM is attached to a terminal. */
  static boolean interactive() {
    Console c = System.console();
    return c != null && c.isTerminal();
  }

  @Override
  public void onStep(int step, int steps, double loss) {
    show(
        String.format(
            Locale.ROOT,
            "  %s  step %" + Integer.toString(steps).length() + "d/%d  loss %.4f",
            label,
            step,
            steps,
            loss),
        step,
        steps);
  }

  @Override
  public void onProgress(String task, long done, long total) {
    if (total > 0) {
      show(String.format(Locale.ROOT, "  %s %s %d/%d", label, task, done, total), done, total);
    }
  }

  private void show(String what, long done, long total) {
    long now = System.nanoTime();
    if (firstDone < 0) {
      firstDone = done;
      firstNanos = now;
    }
    boolean last = done >= total;
    if (live && !last && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    long tenth = done * 10 / total;
    if (!live && tenth <= lastTenth && done != firstDone) {
      return;
    }
    lastDraw = now;
    lastTenth = tenth;
    String eta =
        done > firstDone
            ? seconds((now - firstNanos) / 1e9 / (done - firstDone) * (total - done))
            : "?";
    String line = what + "  elapsed " + seconds((now - start) / 1e9) + "  ETA " + eta;
    if (live) {
      err.print('\r' + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      lastWidth = line.length();
      if (last) {
        err.println();
      }
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** Seconds as {@code 12.3s} or {@code 4m05s}. */
  static String seconds(double s) {
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1fs", s);
    }
    long whole = Math.round(s);
    return String.format(Locale.ROOT, "%dm%02ds", whole / 60, whole % 60);
  }
}
