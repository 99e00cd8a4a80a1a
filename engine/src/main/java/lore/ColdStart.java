package lore;

import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.internal.train.SimplexNewton;

/**
 * One new user in a live service, from zero pairs on: holds the answered pairs (projected onto the
 * basis), refits the MAP under the model's empirical-Bayes prior after each answer by a Newton
 * solve warm-started at the previous MAP, and publishes an immutable {@link UserPosterior} snapshot
 * that any thread may read and score with while the next answer is processed.
 *
 * <p>The MAP is the one {@link FewShotFitter} with {@link FitConfig#defaults()} finds from the same
 * pairs (the objective is strictly convex, so the warm start changes the path, not the answer);
 * {@link #observeAll} fits a batch through {@link FewShotFitter} itself.
 *
 * <pre>{@code
 * ColdStart user = new ColdStart(model, FitConfig.defaults(), 20);
 * int q = pool.mostInformative(user.posterior(), asked);   // ask it; then
 * user.observe(pool, q, firstPreferred);                   // publishes a new posterior
 * }</pre>
 *
 * <p>One writer: {@link #observe} and {@link #observeAll} belong to the thread that first calls
 * them (another thread gets {@link IllegalStateException}); {@link #posterior()} is safe from any
 * thread. The workspace is sized for {@code maxPairs}: an update allocates only the new snapshot
 * (O(B^2 + d)).
 */
public final class ColdStart {
  private final RewardModel model;
  private final FitConfig config;
  private final PopulationPrior prior;
  private final int rank;
  private final int maxPairs;
  private final float[] dz; // maxPairs x B answered pairs, chosen minus rejected
  private final double[] w;
  private final double[] hessian;
  private final float[] row;
  private final float[] fitted;
  private final SimplexNewton newton;
  private final FewShotFitter fitter;
  private final Kernels kernels;
  private int k;
  private Thread writer;
  private int lastIterations;
  private volatile UserPosterior posterior;

  /**
   * A new user with no pairs: the posterior is the prior (mean at the population's centre).
   *
   * @param config must be {@link FitConfig.Method#NEWTON} with {@link FitConfig.Prior#MODEL}: the
   *     posterior is that of the model's empirical-Bayes prior; its tolerance and iteration cap
   *     apply to every update
   * @param maxPairs the most answers this user will give
   * @throws IllegalArgumentException for another configuration, {@code maxPairs < 1}, or a model
   *     that recorded no prior (a basis from {@link RewardModel#fromBasis}, or a file written
   *     before the prior existed)
   */
  public ColdStart(RewardModel model, FitConfig config, int maxPairs) {
    if (config.method() != FitConfig.Method.NEWTON || config.prior() != FitConfig.Prior.MODEL) {
      throw new IllegalArgumentException(
          "a posterior needs FitConfig method NEWTON and prior MODEL, got "
              + config.method()
              + " and "
              + config.prior());
    }
    if (maxPairs < 1) {
      throw new IllegalArgumentException("maxPairs must be at least 1, got " + maxPairs);
    }
    this.prior = PopulationPrior.of(model);
    if (!prior.limit() && prior.precision() == null) {
      throw new IllegalArgumentException(
          "model has no empirical-Bayes prior of new users (no priorCenter/priorCovariance in its"
              + " metadata, origin "
              + model.metadata().getOrDefault("origin", "training")
              + "): train it with Trainer or ModelSelection to get a posterior");
    }
    this.model = model;
    this.config = config;
    this.rank = model.rank();
    this.maxPairs = maxPairs;
    this.dz = new float[Math.multiplyExact(maxPairs, rank)];
    this.w = prior.center().clone();
    this.hessian = new double[rank * rank];
    this.row = new float[rank];
    this.fitted = new float[rank];
    this.newton = new SimplexNewton(rank, maxPairs);
    this.fitter = model.fewShotFitter(config, maxPairs);
    this.kernels = KernelProvider.get();
    this.posterior = snapshot();
  }

  /** The latest posterior; safe to call from any thread. */
  public UserPosterior posterior() {
    return posterior;
  }

  /** Number of answered pairs so far. */
  public int pairs() {
    return k;
  }

  /** Newton steps of the last update (0 at the population limit). */
  public int lastIterations() {
    return lastIterations;
  }

  /**
   * Records that the user preferred {@code chosen} over {@code rejected} (embeddings of length d)
   * and publishes the updated posterior. O(B d) projection plus the update.
   *
   * @return the new posterior
   * @throws IllegalArgumentException on a length mismatch or a non-finite projection
   * @throws IllegalStateException when maxPairs answers were already recorded
   */
  public UserPosterior observe(float[] chosen, float[] rejected) {
    int d = model.dim();
    if (chosen.length != d || rejected.length != d) {
      throw new IllegalArgumentException(
          "embeddings must have length d = "
              + d
              + ", got chosen "
              + chosen.length
              + ", rejected "
              + rejected.length);
    }
    float[] basis = model.basisInternal();
    for (int b = 0; b < rank; b++) {
      row[b] =
          (float)
              ((double) kernels.dot(basis, b * d, chosen, 0, d)
                  - kernels.dot(basis, b * d, rejected, 0, d));
    }
    return observeProjected(row, 0);
  }

  /**
   * Records the answer to candidate {@code candidate} of {@code pool}: {@code firstPreferred}
   * whether the user preferred its {@link CandidatePool#first} item.
   */
  public UserPosterior observe(CandidatePool pool, int candidate, boolean firstPreferred) {
    pool.checkModel(model);
    pool.checkCandidate(candidate);
    int off = candidate * rank;
    float sign = firstPreferred ? 1f : -1f;
    for (int b = 0; b < rank; b++) {
      row[b] = sign * pool.z[off + b];
    }
    return observeProjected(row, 0);
  }

  /**
   * Records one answered pair given by its projection {@code A (e_chosen - e_rejected)} at {@code
   * off} (B values) and publishes the updated posterior: a projected Newton solve warm-started at
   * the previous MAP (allocation-free), then the new snapshot.
   */
  public UserPosterior observeProjected(float[] projected, int off) {
    checkWriter();
    if (off < 0 || off > projected.length - rank) {
      throw new IllegalArgumentException(
          "a projected pair needs rank " + rank + " values at offset " + off);
    }
    if (k == maxPairs) {
      throw new IllegalStateException(
          "this ColdStart holds at most maxPairs = " + maxPairs + " answers");
    }
    for (int b = 0; b < rank; b++) {
      if (!Float.isFinite(projected[off + b])) {
        throw new IllegalArgumentException(
            "answer "
                + k
                + ": its projection onto the basis is not finite ("
                + projected[off + b]
                + ")");
      }
    }
    System.arraycopy(projected, off, dz, k * rank, rank);
    k++;
    if (prior.limit()) {
      lastIterations = 0; // every new user has the population's weights
    } else {
      lastIterations =
          Math.abs(
              newton.solve(
                  dz,
                  0,
                  k,
                  model.logitScale(),
                  w,
                  config.tolerance(),
                  config.maxIterations(),
                  1.0 / k,
                  prior.precision(),
                  prior.center()));
    }
    UserPosterior p = snapshot();
    posterior = p;
    return p;
  }

  /**
   * Replaces every answer with the n pairs of {@code projected} (n x B, chosen minus rejected),
   * fitted from scratch by {@link FewShotFitter#fitProjected}: the batch fit the online updates
   * agree with.
   */
  public UserPosterior observeAll(float[] projected, int n) {
    checkWriter();
    if (n < 0 || n > maxPairs) {
      throw new IllegalArgumentException("pair count " + n + " is outside [0, " + maxPairs + "]");
    }
    if (projected.length < n * rank) {
      throw new IllegalArgumentException(
          n + " projected pairs of rank " + rank + " need " + n * rank + " floats");
    }
    System.arraycopy(projected, 0, dz, 0, n * rank);
    k = n;
    if (n == 0) {
      System.arraycopy(prior.center(), 0, w, 0, rank);
      lastIterations = 0;
    } else {
      lastIterations = fitter.fitProjected(projected, n, fitted);
      for (int b = 0; b < rank; b++) {
        w[b] = fitted[b];
      }
    }
    UserPosterior p = snapshot();
    posterior = p;
    return p;
  }

  /** One writer thread: the first caller; another one fails loudly instead of racing it. */
  private void checkWriter() {
    Thread me = Thread.currentThread();
    if (writer == null) {
      writer = me;
    } else if (writer != me) {
      throw new IllegalStateException(
          "this ColdStart is written by thread '"
              + writer.getName()
              + "' and was called from '"
              + me.getName()
              + "': one writer; read posterior() from any thread");
    }
  }

  /** The Laplace posterior at the current MAP. */
  private UserPosterior snapshot() {
    java.util.Arrays.fill(hessian, 0);
    if (!prior.limit()) {
      double s = model.logitScale();
      for (int p = 0; p < k; p++) {
        int o = p * rank;
        double m = 0;
        for (int b = 0; b < rank; b++) {
          m += w[b] * dz[o + b];
        }
        double c = UserPosterior.fisher(s * m) * s * s;
        for (int a = 0; a < rank; a++) {
          double ca = c * dz[o + a];
          for (int b = 0; b <= a; b++) { // the lower half; mirrored below
            hessian[a * rank + b] += ca * dz[o + b];
          }
        }
      }
      for (int a = 0; a < rank; a++) {
        for (int b = 0; b < a; b++) {
          hessian[b * rank + a] = hessian[a * rank + b];
        }
      }
      double[] prec = prior.precision();
      for (int i = 0; i < hessian.length; i++) {
        hessian[i] += prec[i];
      }
      return UserPosterior.laplace(model, w, hessian, k);
    }
    return UserPosterior.laplace(model, w, null, k);
  }
}
