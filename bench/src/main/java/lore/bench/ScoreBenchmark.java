package lore.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lore.PersonalReward;
import lore.RewardModel;
import lore.internal.kernel.ScalarKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The scoring path of a seen user: {@code PersonalReward.score} of one candidate (one dot product
 * of length d) and {@code rerank} of 64 candidates (64 dot products and an insertion sort).
 */
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {Flags.VECTOR, "-Xms1g", "-Xmx1g", Flags.PRETOUCH})
public class ScoreBenchmark extends EngineState {
  static final int CANDIDATES = 64;

  @Param({"4096", "4095"})
  int d;

  PersonalReward reward;
  float[] embedding;
  float[] candidates;
  float[] scores;
  int[] order;

  @Setup(Level.Trial)
  public void setUp() {
    RewardModel model = trainedModel(d);
    reward = model.reward(model.userId(0));
    var rnd = new SplittableRandom(Inputs.SEED + 2);
    candidates = Inputs.uniform(rnd, (long) CANDIDATES * d);
    embedding = java.util.Arrays.copyOfRange(candidates, 0, d);
    scores = new float[CANDIDATES];
    order = new int[CANDIDATES];
    check();
  }

  /** Once per trial: scores match the scalar dot product, and the order is best first. */
  void check() {
    var ref = new ScalarKernels();
    float[] u = reward.direction();
    float[] uAbs = Inputs.abs(u);
    float[] want = new float[CANDIDATES];
    float[] scale = new float[CANDIDATES];
    float[] cAbs = Inputs.abs(candidates);
    for (int i = 0; i < CANDIDATES; i++) {
      want[i] = ref.dot(u, 0, candidates, i * d, d);
      scale[i] = ref.dot(uAbs, 0, cAbs, i * d, d);
    }
    Checks.requireClose(kernels + " score", want, new float[] {score()}, scale, 1);
    rerank();
    Checks.requireClose(kernels + " rerank scores", want, scores, scale, CANDIDATES);
    for (int i = 1; i < CANDIDATES; i++) {
      if (scores[order[i - 1]] < scores[order[i]]) {
        throw new IllegalStateException("rerank order is not best first at position " + i);
      }
    }
  }

  @Benchmark
  public float score() {
    return reward.score(embedding);
  }

  @Benchmark
  public int[] rerank() {
    reward.rerank(candidates, CANDIDATES, scores, order);
    return order;
  }
}
