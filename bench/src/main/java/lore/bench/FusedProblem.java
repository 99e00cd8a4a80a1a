package lore.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.ScalarKernels;
import org.ejml.data.FMatrixRMaj;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training pass (forward, logistic, backward) over {@code rows} difference rows, set up for one
 * implementation and thread count: the engine runs {@code Kernels.fusedPass} over {@code threads}
 * row ranges with per-thread gradient buffers summed afterwards (as {@code Trainer} does); EJML and
 * ND4J run projection, element-wise logistic and gradient as three steps. Shared by {@link
 * FusedPassBenchmark} and {@link TrainIterationBenchmark}.
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
  final float[] basis;
  final int[] rowUser;
  final float[] userW;
  final float[] userFactor;

  private final float[] z;
  private final float[] coef;
  private final float[] g;
  private float[][] partGrad;
  private float[][] scratch;
  private Kernels kernels;
  private Parallel parallel;
  private IntToDoubleFunction part;
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
    var rnd = new SplittableRandom(Inputs.SEED);
    float[] x = Inputs.uniform(rnd, (long) rows * d);
    float[] basis = Inputs.uniform(rnd, (long) k * d);
    float[] userW = Inputs.simplexRows(rnd, users, k, LOGIT_SCALE);
    int[] rowUser = Inputs.rowUsers(rows, users);
    return new FusedProblem(
        impl, x, rows, d, basis, k, rowUser, userW, Inputs.userFactors(rowUser, users), threads);
  }

  FusedProblem(
      Impl impl,
      float[] x,
      int rows,
      int d,
      float[] basis,
      int k,
      int[] rowUser,
      float[] userW,
      float[] userFactor,
      int threads) {
    this.impl = impl;
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
        kernels = impl.kernels();
        parallel = new Parallel(threads);
        partGrad = new float[threads][k * d];
        scratch = new float[threads][Kernels.SCRATCH_FLOATS];
        part = this::enginePart;
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
        impl, Arrays.copyOf(x, n * d), n, d, basis, k, Arrays.copyOf(rowUser, n), userW,
        userFactor, threads);
  }

  /** One pass from a zero gradient; returns the loss. The gradient is in {@link #grad()}. */
  double iterate() {
    switch (impl) {
      case PANAMA, SCALAR -> {
        double loss = parallel.run(part);
        for (int t = 1; t < threads; t++) { // fixed order: independent of scheduling
          kernels.axpy(1f, partGrad[t], 0, partGrad[0], 0, k * d);
        }
        return loss;
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

  private double enginePart(int t) {
    int lo = Parallel.lo(rows, t, threads);
    int hi = Parallel.lo(rows, t + 1, threads);
    Arrays.fill(partGrad[t], 0f);
    return kernels.fusedPass(
        x, lo * d, hi - lo, d, basis, k, rowUser, lo, userW, userFactor, z, lo * k, coef, lo, g,
        lo * k, partGrad[t], scratch[t]);
  }

  /** The basis gradient of the last {@link #iterate()} (k x d; a copy for ND4J). */
  float[] grad() {
    return switch (impl) {
      case PANAMA, SCALAR -> partGrad[0];
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
      case PANAMA, SCALAR -> partGrad[0];
      case EJML -> egrad;
      case ND4J -> ngrad;
    };
  }

  /**
   * Runs one pass and throws unless loss, projections and gradient match {@code
   * ScalarKernels.fusedPass} on the same inputs.
   */
  void requireMatchesScalar(String what) {
    double loss = iterate();
    var ref = new ScalarKernels();
    float[] s = new float[Kernels.SCRATCH_FLOATS];
    float[] wantZ = new float[rows * k];
    float[] wantC = new float[rows];
    float[] wantG = new float[rows * k];
    float[] wantGrad = new float[k * d];
    double wantLoss =
        ref.fusedPass(
            x, 0, rows, d, basis, k, rowUser, 0, userW, userFactor, wantZ, 0, wantC, 0, wantG, 0,
            wantGrad, s);
    float[] zScale = new float[rows * k];
    ref.project(Inputs.abs(x), 0, rows, d, Inputs.abs(basis), k, zScale, 0, s);
    float[] gradScale = new float[k * d];
    ref.accumulateGradient(Inputs.abs(wantG), 0, Inputs.abs(x), 0, rows, d, k, gradScale);
    Checks.requireClose(what + " loss", wantLoss, loss, wantLoss);
    Checks.requireClose(what + " projections", wantZ, projections(), zScale, rows * k);
    // the gradient also inherits the coefficients' rounding: allow it relative to its own scale
    Checks.requireClose(what + " gradient", wantGrad, grad(), gradScale, k * d);
  }

  @Override
  public void close() {
    if (parallel != null) {
      parallel.close();
    }
  }
}
