package lore.bench;

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lore.CandidatePool;
import lore.ColdStart;
import lore.FitConfig;
import lore.RewardModel;
import lore.UserPosterior;
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
 * A new user in a live service: {@code mostInformative}, the next question from a pool of cached
 * candidate projections (10^4 by default), and {@code observe}, one answer folded into a posterior
 * that already holds k - 1 (a Newton solve warm-started at the last MAP, then the immutable
 * snapshot with the user's cached reward direction, O(B d)). Sample mode: the report gives p50, p99
 * and p99.9.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {Flags.VECTOR, "-Xms1g", "-Xmx1g", Flags.PRETOUCH})
@State(Scope.Thread) // a ColdStart has one writer thread, as in a service
public class ColdStartBenchmark extends EngineState {
  @Param({"10000"})
  int candidates;

  /** Answers after the measured update. */
  @Param({"9", "50"})
  int k;

  @Param({"4096"})
  int d;

  RewardModel model;
  CandidatePool pool;
  ColdStart user;
  UserPosterior posterior;
  BitSet asked;
  float[] answers; // k x rank, chosen minus rejected
  float[] last; // the k-th answer

  @Setup(Level.Trial)
  public void setUp() {
    model = trainedModel(d);
    var rnd = new SplittableRandom(Inputs.SEED + 2);
    int items = 2 * (int) Math.ceil(Math.sqrt(candidates)) + 2;
    float[] table = Inputs.uniform(rnd, (long) items * d);
    int[] a = new int[candidates];
    int[] b = new int[candidates];
    for (int c = 0; c < candidates; c++) {
      a[c] = rnd.nextInt(items);
      b[c] = (a[c] + 1 + rnd.nextInt(items - 1)) % items;
    }
    pool = CandidatePool.ofPairs(model, table, items, a, b);
    user = new ColdStart(model, FitConfig.defaults(), k);
    answers = new float[k * rank];
    asked = new BitSet();
    for (int q = 0; q < k; q++) {
      int c = rnd.nextInt(candidates);
      asked.set(c);
      float[] z = pool.projection(c);
      boolean first = rnd.nextBoolean();
      for (int r = 0; r < rank; r++) {
        answers[q * rank + r] = first ? z[r] : -z[r];
      }
    }
    last = java.util.Arrays.copyOfRange(answers, (k - 1) * rank, k * rank);
    posterior = user.observeAll(answers, k - 1);
    check();
  }

  /**
   * Once per trial: the pool's choice is the argmax of the per-candidate information gain, and the
   * warm-started update equals the batch refit of all k answers.
   */
  void check() {
    int got = mostInformative();
    double best = -1;
    for (int c = asked.nextClearBit(0); c < candidates; c = asked.nextClearBit(c + 1)) {
      best = Math.max(best, pool.informationGain(posterior, c));
    }
    double g = pool.informationGain(posterior, got);
    if (asked.get(got) || Math.abs(g - best) > 1e-5 * best + 1e-12) { // float scan
      throw new IllegalStateException(
          "mostInformative chose " + got + " (gain " + g + "), the scan's best gain is " + best);
    }
    UserPosterior online = observe();
    UserPosterior batch = new ColdStart(model, FitConfig.defaults(), k).observeAll(answers, k);
    for (int r = 0; r < rank; r++) {
      if (Math.abs(online.weights().get(r) - batch.weights().get(r)) > 1e-4) {
        throw new IllegalStateException(
            "online update weight " + r + " " + online.weights() + " != batch " + batch.weights());
      }
    }
    resetUser();
  }

  /** Back to k - 1 answers before each measured update (not timed). */
  @Setup(Level.Invocation)
  public void resetUser() {
    if (user.pairs() == k) {
      user.observeAll(answers, k - 1);
    }
  }

  @Benchmark
  public int mostInformative() {
    return pool.mostInformative(posterior, asked);
  }

  @Benchmark
  public UserPosterior observe() {
    return user.observeProjected(last, 0);
  }
}
