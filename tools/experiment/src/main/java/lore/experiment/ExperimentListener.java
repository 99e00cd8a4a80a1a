package lore.experiment;

/**
 * Progress of {@link Experiment#run()}. A task is the training and evaluation of one method on one
 * split, or the rank selection of one {@link RankedMethod} on one split. Called on the thread that
 * runs the experiment. Every method has an empty default.
 */
public interface ExperimentListener {

  /** A split's data is being prepared (generated or split). */
  default void splitStarted(int split, int splits) {}

  /** Task {@code task} (1-based) of {@code total} starts. */
  default void taskStarted(int task, int total, String what) {}

  /**
   * Task {@code task} of {@code total} ended: {@code seconds} of work, or {@code skipped} when its
   * result was read from the results file of an earlier run (then without {@link #taskStarted}).
   */
  default void taskFinished(
      int task, int total, String what, String outcome, double seconds, boolean skipped) {}
}
