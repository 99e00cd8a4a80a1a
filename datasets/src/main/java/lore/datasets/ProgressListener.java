package lore.datasets;

/**
 * Progress of a long data step (embedding, reading a large file); called on the caller's thread.
 */
@FunctionalInterface
public interface ProgressListener {
  /** Does nothing. */
  ProgressListener NONE = (task, done, total) -> {};

  /**
   * Reports that {@code done} of {@code total} units of {@code task} are finished.
   *
   * @param total the number of units, or -1 if unknown
   */
  void onProgress(String task, long done, long total);
}
