package lore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lore.FewShotFitter;
import lore.FitConfig;
import lore.RewardModel;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.ScalarKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Few-shot fitting of one new user from k pairs with the basis frozen, the latency a host service
 * feels: {@code RewardModel.fewShotFitter(FitConfig.defaults(), 50)} reused across calls, {@code
 * fitInto} from raw embeddings (k x d differences, projection, projected Newton) and {@code
 * fitProjected} from k x rank projections (the solver alone). Sample mode: the report gives p50,
 * p99 and p99.9.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {Flags.VECTOR, "-Xms1g", "-Xmx1g", Flags.PRETOUCH})
@State(Scope.Thread) // a fitter belongs to one thread, as in a service: one per worker
public class FewShotFitBenchmark extends EngineState {
  static final int MAX_PAIRS = 50;

  @Param({"9", "50"})
  int k;

  @Param({"4096"})
  int d;

  RewardModel model;
  FewShotFitter fitter;
  float[] chosen;
  float[] rejected;
  float[] projected;
  float[] weights;

  @Setup(Level.Trial)
  public void setUp() {
    model = trainedModel(d);
    fitter = model.fewShotFitter(FitConfig.defaults(), MAX_PAIRS);
    weights = new float[rank];
    // a planted user: each pair is ordered by a hidden w* . A e, so the fit has signal
    var rnd = new SplittableRandom(Inputs.SEED + 1);
    float[] basis = model.basis();
    float[] hidden = Inputs.simplexRows(rnd, 1, rank, 1.0);
    var ref = new ScalarKernels();
    Kernels.Workspace s = ref.workspace();
    float[] za = new float[rank];
    float[] zb = new float[rank];
    chosen = new float[k * d];
    rejected = new float[k * d];
    for (int p = 0; p < k; p++) {
      float[] a = Inputs.uniform(rnd, d);
      float[] b = Inputs.uniform(rnd, d);
      ref.project(a, 0, 1, d, basis, rank, za, 0, s);
      ref.project(b, 0, 1, d, basis, rank, zb, 0, s);
      boolean aWins = ref.dot(hidden, 0, za, 0, rank) >= ref.dot(hidden, 0, zb, 0, rank);
      System.arraycopy(aWins ? a : b, 0, chosen, p * d, d);
      System.arraycopy(aWins ? b : a, 0, rejected, p * d, d);
    }
    float[] diff = new float[k * d];
    for (int i = 0; i < diff.length; i++) {
      diff[i] = chosen[i] - rejected[i];
    }
    projected = new float[k * rank];
    ref.project(diff, 0, k, d, basis, rank, projected, 0, s); // the scalar reference projection
    check();
  }

  /** Once per trial: fitInto (engine kernels) agrees with the fit of scalar projections. */
  void check() {
    float[] a = fitInto().clone();
    float[] b = fitProjected().clone();
    double sum = 0;
    for (int i = 0; i < rank; i++) {
      sum += a[i];
      if (!(a[i] >= 0) || Math.abs(a[i] - b[i]) > 1e-3) {
        throw new IllegalStateException(
            kernels
                + " fitInto k="
                + k
                + ": weight "
                + i
                + " is "
                + a[i]
                + ", the fit of scalar projections gives "
                + b[i]
                + " (seed "
                + Inputs.SEED
                + ")");
      }
    }
    if (Math.abs(sum - 1) > 1e-4) {
      throw new IllegalStateException("fitted weights sum to " + sum);
    }
  }

  @Benchmark
  public float[] fitInto() {
    fitter.fitInto(chosen, rejected, k, weights);
    return weights;
  }

  @Benchmark
  public float[] fitProjected() {
    fitter.fitProjected(projected, k, weights);
    return weights;
  }
}
