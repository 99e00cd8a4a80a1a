package lore;

import java.util.BitSet;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;

/**
 * Candidate questions for new users: pairs of items with their projections {@code A (e_first -
 * e_second)} cached (B floats each), so that choosing the next question costs O(B r) per candidate
 * ({@code r <= B - 1} the face dimension of the posterior) and touches no embedding.
 *
 * <p>The next question is the candidate of largest expected information gain about the user's
 * weights, {@link UserPosterior#informationGain}: the D-optimal criterion in the projected space,
 * {@code (1/2) log(1 + sigmoid'(mu) v)} with mu and v the mean and variance of the pair's logit
 * under the Laplace posterior. It is the exact drop of that posterior's entropy after the Newton
 * update {@link ColdStart} makes (a rank-one change of its precision), needs no sampling, and is
 * monotone in {@code sigmoid'(mu) v}, so the scan takes one exponential per candidate and no log.
 * The mutual-information alternative (BALD) needs the predictive's entropy through a further
 * approximation and ranks candidates alike where the logit's variance is small.
 *
 * <p>Immutable and thread-safe; {@link #mostInformative} allocates nothing.
 */
public final class CandidatePool {
  private final RewardModel model;
  private final int rank;
  private final int size;
  final float[] z; // size x B
  private final float[] zt; // B x size: the same values by column, for the scan
  private final int[] first;
  private final int[] second;

  private CandidatePool(RewardModel model, float[] z, int[] first, int[] second) {
    this.model = model;
    this.rank = model.rank();
    this.size = first.length;
    this.z = z;
    this.zt = new float[z.length];
    for (int c = 0; c < size; c++) {
      for (int b = 0; b < rank; b++) {
        zt[b * size + c] = z[c * rank + b];
      }
    }
    this.first = first;
    this.second = second;
  }

  /**
   * Every pair {@code (i, j)}, {@code i < j}, of the n items of {@code items} (n x d row-major, not
   * kept): n (n - 1) / 2 candidates, in the order (0,1), (0,2), ..., (1,2), ... Projects each item
   * once: O(n B d + n^2 B).
   *
   * @throws IllegalArgumentException on a size mismatch, fewer than 2 items, a non-finite
   *     projection, or more than 2^31 - 1 candidates' values
   */
  public static CandidatePool ofItems(RewardModel model, float[] items, int n) {
    if (n < 2) {
      throw new IllegalArgumentException("a pool of item pairs needs at least 2 items, got " + n);
    }
    long pairs = (long) n * (n - 1) / 2;
    if (pairs * model.rank() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(n + " items make too many pairs (" + pairs + ")");
    }
    int[] a = new int[(int) pairs];
    int[] b = new int[(int) pairs];
    int c = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        a[c] = i;
        b[c] = j;
        c++;
      }
    }
    return ofPairs(model, items, n, a, b);
  }

  /**
   * The pairs {@code (first[c], second[c])} of rows of {@code items} (n x d row-major, not kept).
   * The index arrays are copied. Projects each item once: O(n B d + pairs B).
   *
   * @throws IllegalArgumentException on a size mismatch, an index outside [0, n), a pair of one
   *     item, or a non-finite projection (naming the item)
   */
  public static CandidatePool ofPairs(
      RewardModel model, float[] items, int n, int[] first, int[] second) {
    int d = model.dim();
    int k = model.rank();
    if (n < 1 || items.length != (long) n * d) {
      throw new IllegalArgumentException(
          "items must hold n x d = " + n + " x " + d + " floats, got " + items.length);
    }
    if (first.length != second.length) {
      throw new IllegalArgumentException(
          "first has " + first.length + " indices, second " + second.length);
    }
    for (int c = 0; c < first.length; c++) {
      if (first[c] < 0 || first[c] >= n || second[c] < 0 || second[c] >= n) {
        throw new IllegalArgumentException(
            "candidate "
                + c
                + " names item "
                + first[c]
                + " / "
                + second[c]
                + " outside [0, "
                + n
                + ")");
      }
      if (first[c] == second[c]) {
        throw new IllegalArgumentException(
            "candidate " + c + " pairs item " + first[c] + " with itself");
      }
    }
    Kernels kernels = KernelProvider.get();
    float[] proj = new float[Math.multiplyExact(n, k)];
    kernels.project(items, 0, n, d, model.basisInternal(), k, proj, 0, kernels.workspace());
    for (int i = 0; i < proj.length; i++) {
      if (!Float.isFinite(proj[i])) {
        throw new IllegalArgumentException(
            "item " + (i / k) + ": its projection onto the basis is not finite");
      }
    }
    float[] z = new float[Math.multiplyExact(first.length, k)];
    for (int c = 0; c < first.length; c++) {
      int a = first[c] * k;
      int b = second[c] * k;
      for (int r = 0; r < k; r++) {
        z[c * k + r] = proj[a + r] - proj[b + r];
      }
    }
    return new CandidatePool(model, z, first.clone(), second.clone());
  }

  /** Number of candidates. */
  public int size() {
    return size;
  }

  /** The item index of candidate c's first side. */
  public int first(int c) {
    checkCandidate(c);
    return first[c];
  }

  /** The item index of candidate c's second side. */
  public int second(int c) {
    checkCandidate(c);
    return second[c];
  }

  /**
   * The unasked candidate of largest expected information gain under {@code posterior} (see the
   * class comment), the gains computed in float (so a candidate within float rounding of the best
   * may win); ties go to the lower index. Where the posterior has no uncertainty left (the
   * population limit, rank 1) every gain is 0 and the first unasked candidate is returned.
   * Allocates nothing.
   *
   * @param asked candidates to skip (already asked), or null
   * @return the candidate's index, or -1 when every candidate was asked
   * @throws IllegalArgumentException if the posterior belongs to another model
   */
  public int mostInformative(UserPosterior posterior, BitSet asked) {
    checkModel(posterior.model);
    final double[] w = posterior.mean;
    final double[] root = posterior.root;
    final int r = posterior.covRank;
    final double s = posterior.scale;
    final int k = rank;
    Scratch sc = SCRATCH.get();
    final float[] mu = sc.mu;
    final float[] v = sc.v;
    final float[] t = sc.t;
    int best = -1;
    double bestScore = -1;
    // blocks of candidates, columns of zt: each inner loop is a scalar times a contiguous run of
    // floats, which the JIT vectorizes; the block's sums stay in L1
    for (int c0 = 0; c0 < size; c0 += BLOCK) {
      int n = Math.min(BLOCK, size - c0);
      java.util.Arrays.fill(mu, 0, n, 0f);
      java.util.Arrays.fill(v, 0, n, 0f);
      for (int b = 0; b < k; b++) {
        axpy((float) w[b], zt, b * size + c0, mu, n);
      }
      for (int i = 0; i < r; i++) {
        java.util.Arrays.fill(t, 0, n, 0f);
        for (int b = 0; b < k; b++) {
          float rb = (float) root[i * k + b];
          if (rb != 0f) {
            axpy(rb, zt, b * size + c0, t, n);
          }
        }
        for (int c = 0; c < n; c++) {
          v[c] += t[c] * t[c];
        }
      }
      for (int c = 0; c < n; c++) {
        // sigmoid' <= 1/4: a candidate that cannot beat the best needs no exponential
        double vc = v[c];
        if (0.25 * vc <= bestScore || (asked != null && asked.get(c0 + c))) {
          continue;
        }
        double score = UserPosterior.fisher(s * mu[c]) * vc; // monotone in the gain: no log here
        if (score > bestScore) {
          bestScore = score;
          best = c0 + c;
        }
      }
    }
    return best;
  }

  private static void axpy(float a, float[] x, int off, float[] y, int n) {
    for (int c = 0; c < n; c++) {
      y[c] += a * x[off + c];
    }
  }

  /** Candidates per block of {@link #mostInformative}: three float sums of 1 KiB each. */
  private static final int BLOCK = 256;

  /** Per-thread sums of one block, so that the scan allocates nothing after its first call. */
  private static final class Scratch {
    final float[] mu = new float[BLOCK];
    final float[] v = new float[BLOCK];
    final float[] t = new float[BLOCK];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** Expected information gain of candidate c in nats ({@link UserPosterior#informationGain}). */
  public double informationGain(UserPosterior posterior, int c) {
    checkModel(posterior.model);
    checkCandidate(c);
    return posterior.informationGain(z, c * rank);
  }

  /** Predictive probability that the user prefers candidate c's first item over its second. */
  public double preferenceProbability(UserPosterior posterior, int c) {
    checkModel(posterior.model);
    checkCandidate(c);
    return posterior.preferenceProbabilityProjected(z, c * rank);
  }

  /** A copy of candidate c's projection {@code A (e_first - e_second)}, B floats. */
  public float[] projection(int c) {
    checkCandidate(c);
    return java.util.Arrays.copyOfRange(z, c * rank, (c + 1) * rank);
  }

  void checkModel(RewardModel m) {
    if (m.basisInternal() != model.basisInternal() || m.logitScale() != model.logitScale()) {
      throw new IllegalArgumentException(
          "the posterior and this pool belong to different models (a pool caches projections onto"
              + " one basis)");
    }
  }

  void checkCandidate(int c) {
    if (c < 0 || c >= size) {
      throw new IllegalArgumentException("candidate " + c + " is outside [0, " + size + ")");
    }
  }
}
