package lore.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import lore.internal.kernel.Bf16;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.ScalarKernels;
import lore.internal.train.PairLayout;
import lore.internal.train.Partitions;
import org.ejml.data.FMatrixRMaj;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training pass (forward, logistic, backward) over {@code rows} difference rows, set up for one
 * implementation and thread count: the engine runs the trainer's own differences layout ({@code
 * PairLayout.Differences}: {@code threads} row ranges of cache-sized blocks, per-partition gradient
 * buffers summed in order); EJML and ND4J run projection, element-wise logistic and gradient as
 * three steps. Shared by {@link FusedPassBenchmark} and {@link TrainIterationBenchmark}.
 */
final class FusedProblem implements AutoCloseable {
  /** The logit scale s folded into the user weights, as the engine's default. */
  static final double LOGIT_SCALE = 0.01;

  final Impl impl;
  final int rows;
  final int d;
  final int k;
  final int threads;
  final float[] x;

  /** x rounded to bf16 when the engine stores its rows in bf16, else null. */
  final short[] xBf16;

  final float[] basis;
  final int[] rowUser;
  final float[] userW;
  final float[] userFactor;

  private final float[] z;
  private final float[] coef;
  private final float[] g;
  private float[] grad;
  private PairLayout layout;
  private ExecutorService pool;
  private FMatrixRMaj ex;
  private FMatrixRMaj ea;
  private FMatrixRMaj ez;
  private FMatrixRMaj eg;
  private FMatrixRMaj egrad;
  private INDArray nx;
  private INDArray na;
  private INDArray nUserW;
  private INDArray nRowFactor;
  private INDArray nz;
  private INDArray ngrad;

  /** Random inputs: rows of x uniform in [-1, 1), a uniform basis, Dirichlet users times s. */
  static FusedProblem random(Impl impl, int rows, int d, int k, int users, int threads) {
    return random(impl, rows, d, k, users, threads, false);
  }

  /**
   * As {@link #random(Impl, int, int, int, int, int)}; with {@code bf16} the engine's difference
   * rows are stored in bf16 ({@code TrainConfig.Storage.BFLOAT16}), the same random rows rounded.
   */
  static FusedProblem random(
      Impl impl, int rows, int d, int k, int users, int threads, boolean bf16) {
    var rnd = new SplittableRandom(Inputs.SEED);
    float[] x = Inputs.uniform(rnd, (long) rows * d);
    float[] basis = Inputs.uniform(rnd, (long) k * d);
    float[] userW = Inputs.simplexRows(rnd, users, k, LOGIT_SCALE);
    int[] rowUser = Inputs.rowUsers(rows, users);
    short[] xBf16 = null;
    if (bf16) {
      if (!impl.isEngine()) {
        throw new IllegalArgumentException("bf16 storage is an engine option, not " + impl);
      }
      xBf16 = new short[x.length];
      Bf16.fromFloats(x, 0, xBf16, 0, x.length);
    }
    return new FusedProblem(
        impl,
        x,
        xBf16,
        rows,
        d,
        basis,
        k,
        rowUser,
        userW,
        Inputs.userFactors(rowUser, users),
        threads);
  }

  FusedProblem(
      Impl impl,
      float[] x,
      short[] xBf16,
      int rows,
      int d,
      float[] basis,
      int k,
      int[] rowUser,
      float[] userW,
      float[] userFactor,
      int threads) {
    this.impl = impl;
    this.xBf16 = xBf16;
    this.rows = rows;
    this.d = d;
    this.k = k;
    this.threads = threads;
    this.x = x;
    this.basis = basis;
    this.rowUser = rowUser;
    this.userW = userW;
    this.userFactor = userFactor;
    this.z = new float[rows * k];
    this.coef = new float[rows];
    this.g = new float[rows * k];
    switch (impl) {
      case PANAMA, SCALAR -> {
        pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, Parallel.DAEMON);
        layout = differences(impl.kernels(), new Partitions(threads, pool));
        grad = new float[k * d];
      }
      case EJML -> {
        EjmlPath.threads(threads);
        ex = FMatrixRMaj.wrap(rows, d, x);
        ea = FMatrixRMaj.wrap(k, d, basis);
        ez = FMatrixRMaj.wrap(rows, k, z);
        eg = FMatrixRMaj.wrap(rows, k, g);
        egrad = new FMatrixRMaj(k, d);
      }
      case ND4J -> {
        Nd4jPath.threads(threads);
        nx = Nd4jPath.matrix(x, rows, d);
        na = Nd4jPath.matrix(basis, k, d);
        nUserW = Nd4jPath.matrix(userW, userW.length / k, k);
        float[] rf = new float[rows];
        for (int r = 0; r < rows; r++) {
          rf[r] = userFactor[rowUser[r]];
        }
        nRowFactor = Nd4jPath.vector(rf);
        nz = Nd4jPath.matrix(z, rows, k);
        ngrad = Nd4jPath.matrix(new float[k * d], k, d);
      }
    }
  }

  /** The same problem restricted to its first {@code n} rows, on the same implementation. */
  FusedProblem prefix(int n) {
    return new FusedProblem(
        impl,
        Arrays.copyOf(x, n * d),
        xBf16 == null ? null : Arrays.copyOf(xBf16, n * d),
        n,
        d,
        basis,
        k,
        Arrays.copyOf(rowUser, n),
        userW,
        userFactor,
        threads);
  }

  /** One pass from a zero gradient; returns the loss. The gradient is in {@link #grad()}. */
  double iterate() {
    switch (impl) {
      case PANAMA, SCALAR -> {
        return layout.lossAndGradient(basis, userW, userFactor, z, coef, grad);
      }
      case EJML -> {
        Arrays.fill(egrad.data, 0f);
        return EjmlPath.fused(ex, ea, rowUser, userW, userFactor, ez, eg, egrad, threads);
      }
      default -> {
        ngrad.assign(0);
        return Nd4jPath.fused(nx, na, rowUser, nUserW, nRowFactor, nz, ngrad);
      }
    }
  }

  /** The basis gradient of the last {@link #iterate()} (k x d; a copy for ND4J). */
  float[] grad() {
    return switch (impl) {
      case PANAMA, SCALAR -> grad;
      case EJML -> egrad.data;
      case ND4J -> ngrad.data().asFloat();
    };
  }

  /** The projections of the last {@link #iterate()} (rows x k; a copy for ND4J). */
  float[] projections() {
    return impl == Impl.ND4J ? nz.data().asFloat() : z;
  }

  /** Whatever a benchmark returns to defeat dead-code elimination of the gradient. */
  Object gradHandle() {
    return switch (impl) {
      case PANAMA, SCALAR -> grad;
      case EJML -> egrad;
      case ND4J -> ngrad;
    };
  }

  /**
   * Runs one pass and throws unless loss, projections and gradient match the engine's pass on its
   * scalar kernels, on one partition, for the same inputs.
   */
  void requireMatchesScalar(String what) {
    double loss = iterate();
    Kernels ref = new ScalarKernels();
    float[] wantZ = new float[rows * k];
    float[] wantC = new float[rows];
    float[] wantGrad = new float[k * d];
    double wantLoss =
        new FusedProblem(Impl.SCALAR, x, xBf16, rows, d, basis, k, rowUser, userW, userFactor, 1)
            .differences(ref, new Partitions(1, null))
            .lossAndGradient(basis, userW, userFactor, wantZ, wantC, wantGrad);
    float[] wantG = new float[rows * k]; // the gradient's row coefficients c_r * userW[u_r]
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < k; b++) {
        wantG[r * k + b] = wantC[r] * userW[rowUser[r] * k + b];
      }
    }
    float[] zScale = new float[rows * k];
    ref.project(Inputs.abs(x), 0, rows, d, Inputs.abs(basis), k, zScale, 0, ref.workspace());
    float[] gradScale = new float[k * d];
    ref.accumulateGradient(Inputs.abs(wantG), 0, Inputs.abs(x), 0, rows, d, k, gradScale);
    Checks.requireClose(what + " loss", wantLoss, loss, wantLoss);
    Checks.requireClose(what + " projections", wantZ, projections(), zScale, rows * k);
    // the gradient also inherits the coefficients' rounding: allow it relative to its own scale
    Checks.requireClose(what + " gradient", wantGrad, grad(), gradScale, k * d);
  }

  /** The engine's differences layout over x, or over its bf16 rounding. */
  private PairLayout differences(Kernels kernels, Partitions parts) {
    return xBf16 == null
        ? new PairLayout.Differences(x, rows, d, rowUser, k, kernels, parts)
        : new PairLayout.Differences(xBf16, rows, d, rowUser, k, kernels, parts);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
