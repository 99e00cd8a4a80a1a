package lore.cli;

import java.io.PrintWriter;
import java.util.Locale;
import lore.datasets.ProgressListener;

/**
 * Progress of data steps (embedding texts) on stderr: redrawn in place on a terminal, else a line
 * at every tenth, with rate and ETA.
 */
final class DataProgress implements ProgressListener {
  private final PrintWriter err;
  private final String label;
  private final boolean live;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long lastTenth = -1;

  DataProgress(PrintWriter err, String label, boolean live) {
    this.err = err;
    this.label = label;
    this.live = live;
  }

  @Override
  public void onProgress(String task, long done, long total) {
    if (total == 0) {
      return;
    }
    long now = System.nanoTime();
    double elapsed = (now - start) / 1e9;
    boolean last = done >= total;
    String eta = done > 0 && total > 0 ? Progress.seconds(elapsed / done * (total - done)) : "?";
    String line =
        String.format(
            Locale.ROOT,
            "  %s %s %d/%d  elapsed %s  ETA %s",
            label,
            task,
            done,
            total,
            Progress.seconds(elapsed),
            eta);
    if (live) {
      if (!last && now - lastDraw < 100_000_000L) {
        return;
      }
      lastDraw = now;
      err.print("\r" + line);
      if (last) {
        err.println();
      }
      err.flush();
    } else {
      long tenth = total > 0 ? done * 10 / total : 0;
      if (tenth > lastTenth) {
        lastTenth = tenth;
        err.println(line);
        err.flush();
      }
    }
  }
}
