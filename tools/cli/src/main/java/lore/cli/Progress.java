package lore.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.util.Locale;
import lore.TrainListener;

/**
 * Training progress on stderr: {@code step/steps, loss, elapsed, ETA}. On a terminal one line is
 * rewritten in place with {@code '\r'} (at most ten times a second); otherwise (a pipe, a log file,
 * a test) a plain line is printed at every tenth of the run, so logs stay readable.
 */
final class Progress implements TrainListener {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final String label;
  private final boolean live;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long firstStepNanos;
  private int firstStep;
  private int lastTenth;
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
    long now = System.nanoTime();
    if (firstStep == 0) { // the rate excludes the setup before the first step (layout, tables)
      firstStep = step;
      firstStepNanos = now;
    }
    boolean last = step == steps;
    if (live) {
      if (!last && now - lastDraw < REDRAW_NANOS) {
        return;
      }
      lastDraw = now;
      String line = line(step, steps, loss, now);
      err.print('\r' + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      lastWidth = line.length();
      if (last) {
        err.println();
      }
      err.flush();
    } else {
      int tenth = (int) ((long) step * 10 / steps);
      if (tenth > lastTenth || step == 1) {
        lastTenth = tenth;
        err.println(line(step, steps, loss, now));
        err.flush();
      }
    }
  }

  private String line(int step, int steps, double loss, long now) {
    double elapsed = (now - start) / 1e9;
    String eta =
        step > firstStep
            ? seconds((now - firstStepNanos) / 1e9 / (step - firstStep) * (steps - step))
            : "?";
    int w = Integer.toString(steps).length();
    return String.format(
        Locale.ROOT,
        "  %s  step %" + w + "d/%d  loss %.4f  elapsed %s  ETA %s",
        label,
        step,
        steps,
        loss,
        seconds(elapsed),
        eta);
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
