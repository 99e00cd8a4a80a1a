package lore.internal.train;

/**
 * The users' side of a training run, wherever the users and their pairs are held: in one {@link
 * UserBlock} of this process, or in the partitions of a cluster. The trainer's driver keeps the
 * basis, its optimizer and the prior; every call here is one pass over the pairs except {@link
 * #initialize}, {@link #userMoments} and the final reads. Users are numbered in a fixed order (the
 * order of first appearance in the training data), which the initial parameters and the model's
 * user list follow. Internal; not API.
 */
public interface UserSide {
  /** Where the users come from: opens their side of a run for a configuration (its rank). */
  interface Source {
    /** The embedding dimension d. */
    int dim();

    /** The users with parameters of rank {@code config.rank()}, for one run. */
    UserSide open(lore.TrainConfig config);
  }

  /** The number of users N. */
  int users();

  /** The number of pairs. */
  long pairs();

  /** The layout of the pair data, for the model metadata. */
  String layoutName();

  /** How the pair data is stored ({@code "FLOAT32"} or {@code "BFLOAT16"}), for the metadata. */
  String storage();

  /**
   * Sets every user's initial parameters: N x k values in user order, or null for uniform weights
   * (zero logits for SOFTMAX; see {@link UserBlock#setParams}).
   */
  void initialize(float[] params);

  /**
   * {@link UserBlock#step} over every user: the objective of Eq. 10 summed over users at {@code
   * basis} (returned), its basis gradient written to {@code grad} (k x d), then every user's
   * parameters updated.
   */
  double step(float[] basis, float[] grad);

  /** {@link UserBlock#polish} over every user; returns the objective summed over users. */
  double polish(float[] basis);

  /** Mean over the pairs of {@code ||e_c - e_r||^2}. */
  double pairSecondMoment();

  /**
   * The population's weights c (the users' weights averaged with weights {@code 1/|D_u|}) and their
   * covariance around c with the same weights: k and k x k values.
   */
  double[][] userMoments();

  /** The user ids in user order. */
  String[] userIds();

  /** The users' weights on the simplex, N x k in user order. */
  float[] weights();

  /**
   * The moments of {@link #userMoments} from a function that adds every block's sums ({@link
   * UserBlock#addMoments}) to the array it is given, for the mean ({@code null}) and then for the
   * covariance around it.
   */
  static double[][] userMoments(int k, java.util.function.BiConsumer<double[], double[]> addAll) {
    double[] sums = new double[k + 1];
    addAll.accept(null, sums);
    double total = sums[k];
    double[] mean = new double[k];
    for (int b = 0; b < k; b++) {
      mean[b] = total > 0 ? sums[b] / total : 1.0 / k;
    }
    double[] cov = new double[k * k];
    addAll.accept(mean, cov);
    for (int i = 0; total > 0 && i < cov.length; i++) {
      cov[i] /= total;
    }
    return new double[][] {mean, cov};
  }
}
