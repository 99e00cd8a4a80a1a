package lore;

/** Receives training progress; called on the training thread after every step. */
@FunctionalInterface
public interface TrainListener {
  /**
   * @param step 1-based step just finished
   * @param steps total steps
   * @param loss the objective of Eq. 10 divided by the number of users (the mean per-user loss) at
   *     the parameters the step started from
   */
  void onStep(int step, int steps, double loss);
}
