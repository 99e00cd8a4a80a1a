package lore;

import java.util.SplittableRandom;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.Numerics;
import lore.internal.train.Adam;
import lore.internal.train.SimplexNewton;

/**
 * Fits a new user's weights from a few pairs with the basis frozen (paper Eq. 11):
 *
 * <pre>
 *   w = argmin_{w in simplex} (1/k) sum_p log(1 + exp(-s * w . A (e_c,p - e_r,p)))
 * </pre>
 *
 * The k pairs are projected once (k x B), then the small convex problem is solved to tight
 * tolerance by projected Newton (default) or, for parity, by the reference code's Adam on softmax
 * logits.
 *
 * <p>Owns a workspace sized for the model and {@code maxPairs}: after construction {@link #fitInto}
 * allocates nothing on the Newton path. Not thread-safe: a fitter belongs to the thread that first
 * uses it, and a call from any other thread throws {@link IllegalStateException} (one comparison
 * per call), so that sharing one fails loudly instead of returning another call's weights. Make one
 * fitter per thread; they are cheap. No I/O, no logging, no threads.
 */
public final class FewShotFitter {
  private final RewardModel model;
  private final FitConfig config;
  private final Kernels kernels;
  private final int dim;
  private final int rank;
  private final int maxPairs;

  /** Pairs per projected chunk: 4 rows of d = 4096 floats are 64 KiB. */
  private static final int CHUNK = 4;

  private final float[] diffs; // CHUNK x d
  private final float[] dz; // maxPairs x rank
  private final double[] w;
  private final double[] prior; // mean seen-user weights: the center of the MEAN prior
  private final PopulationPrior population; // the model's empirical-Bayes prior of new users
  private final Kernels.Workspace ws;
  private final SimplexNewton newton;
  private int lastIterations;
  private double lastLoss;

  /** The thread this fitter belongs to: the first one to use it; set once, through OWNER. */
  private Thread owner;

  private static final java.lang.invoke.VarHandle OWNER;

  static {
    try {
      OWNER =
          java.lang.invoke.MethodHandles.lookup()
              .findVarHandle(FewShotFitter.class, "owner", Thread.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  FewShotFitter(RewardModel model, FitConfig config, int maxPairs) {
    if (maxPairs < 1) {
      throw new IllegalArgumentException("maxPairs must be at least 1, got " + maxPairs);
    }
    this.model = model;
    this.config = config;
    this.kernels = KernelProvider.get();
    this.ws = kernels.workspace();
    this.dim = model.dim();
    this.rank = model.rank();
    this.maxPairs = maxPairs;
    this.diffs = new float[Math.multiplyExact(Math.min(maxPairs, CHUNK), dim)];
    this.dz = new float[maxPairs * rank];
    this.w = new double[rank];
    this.newton = new SimplexNewton(rank, maxPairs);
    this.prior = model.meanUserWeights();
    this.population = PopulationPrior.of(model);
  }

  /**
   * Fits from k pairs given as two k x d row-major tables of embeddings.
   *
   * @param chosen k x d, the preferred responses, not modified
   * @param rejected k x d, the other responses, not modified
   * @param k number of pairs, in [1, maxPairs]
   * @return the user's weights; allocates only the result
   * @throws IllegalArgumentException on a size mismatch, k out of range, or a non-finite value
   */
  public UserWeights fit(float[] chosen, float[] rejected, int k) {
    float[] out = new float[rank];
    fitInto(chosen, rejected, k, out);
    return new UserWeights(out);
  }

  /**
   * As {@link #fit}, writing the weights into {@code weightsOut} (length >= B). Allocates nothing
   * on the Newton path.
   *
   * @return the number of solver iterations
   */
  public int fitInto(float[] chosen, float[] rejected, int k, float[] weightsOut) {
    checkOwner();
    checkPairs(k);
    long need = (long) k * dim;
    if (chosen.length < need || rejected.length < need) {
      throw new IllegalArgumentException(
          k
              + " pairs of dim "
              + dim
              + " need "
              + need
              + " floats; chosen has "
              + chosen.length
              + ", rejected "
              + rejected.length);
    }
    // differences in chunks of CHUNK pairs that stay in L2 while they are projected: the inputs
    // are read once (2 x k x d floats), the differences never go to memory
    for (int q = 0; q < k; q += CHUNK) {
      int rows = Math.min(CHUNK, k - q);
      int n = rows * dim;
      kernels.subtract(chosen, q * dim, rejected, q * dim, diffs, 0, n);
      kernels.project(diffs, 0, rows, dim, model.basisInternal(), rank, dz, q * rank, ws);
    }
    // a NaN or infinity in the input makes its projection non-finite: check k x B values, not k x d
    for (int i = 0; i < k * rank; i++) {
      if (!Float.isFinite(dz[i])) {
        throw nonFinite(chosen, rejected, i / rank);
      }
    }
    return solve(k, weightsOut);
  }

  private IllegalArgumentException nonFinite(float[] chosen, float[] rejected, int pair) {
    for (int j = pair * dim; j < (pair + 1) * dim; j++) {
      if (!Float.isFinite(chosen[j]) || !Float.isFinite(rejected[j])) {
        return new IllegalArgumentException(
            "pair "
                + pair
                + " column "
                + (j - pair * dim)
                + " is not finite (chosen "
                + chosen[j]
                + ", rejected "
                + rejected[j]
                + ")");
      }
    }
    return new IllegalArgumentException(
        "pair " + pair + " overflows: its projection onto the basis is not finite");
  }

  /**
   * Fits from pairs already projected onto the basis: {@code projected} holds k rows of B values
   * {@code A (e_c - e_r)}. Allocates nothing on the Newton path.
   *
   * @return the number of solver iterations
   */
  public int fitProjected(float[] projected, int k, float[] weightsOut) {
    checkOwner();
    checkPairs(k);
    if (projected.length < k * rank) {
      throw new IllegalArgumentException(
          k
              + " projected pairs of rank "
              + rank
              + " need "
              + (k * rank)
              + " floats, got "
              + projected.length);
    }
    System.arraycopy(projected, 0, dz, 0, k * rank);
    return solve(k, weightsOut);
  }

  /** Iterations of the last fit (Newton steps or Adam steps). */
  public int lastIterations() {
    return lastIterations;
  }

  /** Mean logistic loss of the last fit on its own pairs. */
  public double lastLoss() {
    return lastLoss;
  }

  /** Binds this fitter to its first caller's thread; throws for any other thread. */
  private void checkOwner() {
    Thread me = Thread.currentThread();
    if ((Thread) OWNER.getOpaque(this) != me) {
      Thread was = (Thread) OWNER.compareAndExchange(this, (Thread) null, me);
      if (was != null && was != me) {
        throw new IllegalStateException(
            "this FewShotFitter belongs to thread '"
                + was.getName()
                + "' and was called from '"
                + me.getName()
                + "': it is not thread-safe, make one per thread");
      }
    }
  }

  private void checkPairs(int k) {
    if (k < 1 || k > maxPairs) {
      throw new IllegalArgumentException(
          "pair count " + k + " is outside [1, " + maxPairs + "] for this fitter");
    }
  }

  private int solve(int k, float[] weightsOut) {
    if (weightsOut.length < rank) {
      throw new IllegalArgumentException("weightsOut needs length >= rank " + rank);
    }
    double s = model.logitScale();
    if (config.method() == FitConfig.Method.NEWTON) {
      int it;
      if (config.prior() == FitConfig.Prior.MODEL && population.limit()) {
        System.arraycopy(population.center(), 0, w, 0, rank);
        it = 0; // the population limit: every new user has the population's weights
        newtonLossAt(k, s);
      } else if (config.prior() == FitConfig.Prior.MODEL && population.precision() != null) {
        System.arraycopy(population.center(), 0, w, 0, rank);
        it =
            newton.solve(
                dz,
                0,
                k,
                s,
                w,
                config.tolerance(),
                config.maxIterations(),
                1.0 / k,
                population.precision(),
                population.center());
      } else {
        java.util.Arrays.fill(w, 1.0 / rank);
        double strength = config.prior() == FitConfig.Prior.MEAN ? config.priorStrength() : 0;
        it =
            newton.solve(
                dz, 0, k, s, w, config.tolerance(), config.maxIterations(), strength, prior);
      }
      lastIterations = Math.abs(it);
      lastLoss = it == 0 ? lastLoss : newton.lastObjective();
      for (int b = 0; b < rank; b++) {
        weightsOut[b] = (float) w[b];
      }
      renormalize(weightsOut);
      return lastIterations;
    }
    return solveAdam(k, s, weightsOut);
  }

  /** The reference path: Adam on logits, {@code w = softmax(logits)}. Allocates O(B). */
  private int solveAdam(int k, double s, float[] weightsOut) {
    SplittableRandom rnd = new SplittableRandom(config.seed());
    float[] logits = new float[rank];
    for (int b = 0; b < rank; b++) {
      logits[b] = (float) rnd.nextGaussian();
    }
    float[] p = new float[rank];
    float[] grad = new float[rank];
    Adam adam = new Adam(rank, config.learningRate());
    double loss = 0;
    for (int step = 0; step < config.maxIterations(); step++) {
      Numerics.softmax(logits, 0, rank, p, 0);
      double[] gw = new double[rank];
      loss = 0;
      for (int q = 0; q < k; q++) {
        double m = 0;
        for (int b = 0; b < rank; b++) {
          m += p[b] * dz[q * rank + b];
        }
        m *= s;
        loss += Numerics.softplusNeg(m) / k;
        double c = Numerics.softplusNegGrad(m) * s / k;
        for (int b = 0; b < rank; b++) {
          gw[b] += c * dz[q * rank + b];
        }
      }
      double pg = 0;
      for (int b = 0; b < rank; b++) {
        pg += p[b] * gw[b];
      }
      for (int b = 0; b < rank; b++) {
        grad[b] = (float) (p[b] * (gw[b] - pg));
      }
      adam.nextStep();
      adam.update(logits, grad, 0, rank);
    }
    Numerics.softmax(logits, 0, rank, weightsOut, 0);
    lastIterations = config.maxIterations();
    lastLoss = loss;
    return lastIterations;
  }

  /** Sets {@link #lastLoss} to the mean logistic loss of the k projected pairs at {@link #w}. */
  private void newtonLossAt(int k, double s) {
    double loss = 0;
    for (int q = 0; q < k; q++) {
      double m = 0;
      for (int b = 0; b < rank; b++) {
        m += w[b] * dz[q * rank + b];
      }
      loss += Numerics.softplusNeg(s * m);
    }
    lastLoss = loss / k;
  }

  private void renormalize(float[] out) {
    double sum = 0;
    for (int b = 0; b < rank; b++) {
      out[b] = Math.max(out[b], 0f);
      sum += out[b];
    }
    float inv = (float) (1.0 / sum);
    for (int b = 0; b < rank; b++) {
      out[b] *= inv;
    }
  }
}
