package lore.internal.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import lore.internal.kernel.Bf16;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;
import lore.internal.kernel.Numerics;
import lore.internal.kernel.Tolerances;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both pair layouts against the objective computed directly in double: projected differences, loss,
 * loss derivatives and basis gradient, on the kernels of the width under test (the suite runs at
 * every width) and on the scalar kernels; and partitions give the same bits on any executor.
 */
class PairLayoutTest {
  static final long SEED = Long.getLong("lore.test.seed", 20261130L);
  static final Kernels[] KERNELS = {KernelProvider.choose("scalar"), KernelProvider.get()};

  record Problem(
      float[] items,
      int n,
      int d,
      int[] chosen,
      int[] rejected,
      int[] pairUser,
      int users,
      float[] userW,
      float[] factor,
      float[] basis,
      int k) {
    static Problem random(long seed, int n, int d, int k, int pairs, int users) {
      SplittableRandom rnd = new SplittableRandom(seed);
      float[] items = floats(rnd, n * d);
      int[] c = new int[pairs];
      int[] r = new int[pairs];
      int[] pu = new int[pairs];
      int[] count = new int[users];
      for (int p = 0; p < pairs; p++) {
        c[p] = rnd.nextInt(n);
        r[p] = (c[p] + 1 + rnd.nextInt(n - 1)) % n;
        pu[p] = p * users / pairs; // grouped per user, as the trainer lays them out
        count[pu[p]]++;
      }
      float[] factor = new float[users];
      for (int u = 0; u < users; u++) {
        factor[u] = 1f / Math.max(1, count[u]);
      }
      return new Problem(
          items, n, d, c, r, pu, users, floats(rnd, users * k), factor, floats(rnd, k * d), k);
    }

    PairLayout layout(boolean differences, Kernels kernels, Partitions parts) {
      return differences
          ? PairLayout.Differences.of(
              items, d, chosen, rejected, pairUser, k, kernels, parts, false)
          : new PairLayout.Items(items, n, d, chosen, rejected, pairUser, k, kernels, parts, false);
    }
  }

  static float[] floats(SplittableRandom rnd, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return a;
  }

  static Stream<Arguments> shapes() {
    // d below, at and above the vector widths, with tails; k over every register-block remainder;
    // more pairs than two blocks of the differences layout, with a remainder
    return IntStream.of(1, 7, 16, 37, 64, 131)
        .boxed()
        .flatMap(d -> IntStream.of(1, 2, 3, 5, 10).mapToObj(k -> Arguments.of(d, k)));
  }

  @ParameterizedTest
  @MethodSource("shapes")
  void bothLayoutsComputeTheObjective(int d, int k) {
    Problem pr = Problem.random(SEED ^ (d * 31L + k), 12, d, k, 21, 5);
    int pairs = pr.chosen.length;
    // reference in double
    double wantLoss = 0;
    double[] wantDz = new double[pairs * k];
    double[] wantCoef = new double[pairs];
    double[] wantGrad = new double[k * d];
    for (int p = 0; p < pairs; p++) {
      int u = pr.pairUser[p];
      double m = 0;
      for (int b = 0; b < k; b++) {
        for (int j = 0; j < d; j++) {
          double x = (double) pr.items[pr.chosen[p] * d + j] - pr.items[pr.rejected[p] * d + j];
          wantDz[p * k + b] += x * pr.basis[b * d + j];
        }
        m += pr.userW[u * k + b] * wantDz[p * k + b];
      }
      wantLoss += pr.factor[u] * Numerics.softplusNeg(m);
      wantCoef[p] = pr.factor[u] * Numerics.softplusNegGrad(m);
      for (int b = 0; b < k; b++) {
        for (int j = 0; j < d; j++) {
          double x = (double) pr.items[pr.chosen[p] * d + j] - pr.items[pr.rejected[p] * d + j];
          wantGrad[b * d + j] += wantCoef[p] * pr.userW[u * k + b] * x;
        }
      }
    }
    for (Kernels kernels : KERNELS) {
      for (boolean differences : new boolean[] {true, false}) {
        for (int threads : new int[] {1, 3}) {
          String where =
              kernels.name()
                  + (differences ? " DIFFERENCES" : " ITEMS")
                  + " d="
                  + d
                  + " k="
                  + k
                  + " threads="
                  + threads
                  + " seed="
                  + SEED;
          PairLayout layout = pr.layout(differences, kernels, new Partitions(threads, null));
          float[] dz = new float[pairs * k];
          float[] coef = new float[pairs];
          float[] grad = new float[k * d];
          java.util.Arrays.fill(grad, Float.NaN); // overwritten, not accumulated into
          double loss = layout.lossAndGradient(pr.basis, pr.userW, pr.factor, dz, coef, grad);
          double tol = Tolerances.F32_KERNEL * 4 * (1 + d);
          assertEquals(wantLoss, loss, tol * pairs, where + " loss");
          for (int i = 0; i < dz.length; i++) {
            assertEquals(wantDz[i], dz[i], tol, where + " dz " + i);
          }
          for (int p = 0; p < pairs; p++) {
            assertEquals(wantCoef[p], coef[p], tol, where + " coef " + p);
          }
          for (int i = 0; i < grad.length; i++) {
            assertEquals(wantGrad[i], grad[i], tol * pairs, where + " grad " + i);
          }
          float[] projected = new float[pairs * k];
          layout.project(pr.basis, projected);
          assertArrayEquals(dz, projected, where + ": project() and the pass disagree");
        }
      }
    }
  }

  /**
   * bf16 storage is float storage of the rounded rows, bit for bit: the differences layout rounds
   * each difference (computed in float) once, the items layout rounds each item; every kernel
   * widens exactly and accumulates in float in the float kernels' order.
   */
  @ParameterizedTest
  @MethodSource("shapes")
  void bf16LayoutsAreFloatLayoutsOfTheRoundedRows(int d, int k) {
    Problem pr = Problem.random(SEED ^ (d * 53L + k), 12, d, k, 21, 5);
    int pairs = pr.chosen.length;
    float[] roundedDiffs = new float[pairs * d];
    for (int p = 0; p < pairs; p++) {
      for (int j = 0; j < d; j++) {
        float diff = pr.items[pr.chosen[p] * d + j] - pr.items[pr.rejected[p] * d + j];
        roundedDiffs[p * d + j] = Bf16.toFloat(Bf16.fromFloat(diff));
      }
    }
    float[] roundedItems = new float[pr.items.length];
    for (int i = 0; i < roundedItems.length; i++) {
      roundedItems[i] = Bf16.toFloat(Bf16.fromFloat(pr.items[i]));
    }
    for (Kernels kernels : KERNELS) {
      for (int threads : new int[] {1, 3}) {
        String where = kernels.name() + " d=" + d + " k=" + k + " threads=" + threads;
        Partitions parts = new Partitions(threads, null);
        PairLayout[][] layouts = {
          {
            PairLayout.Differences.of(
                pr.items, d, pr.chosen, pr.rejected, pr.pairUser, k, kernels, parts, true),
            new PairLayout.Differences(roundedDiffs, pairs, d, pr.pairUser, k, kernels, parts)
          },
          {
            new PairLayout.Items(
                pr.items, pr.n, d, pr.chosen, pr.rejected, pr.pairUser, k, kernels, parts, true),
            new PairLayout.Items(
                roundedItems,
                pr.n,
                d,
                pr.chosen,
                pr.rejected,
                pr.pairUser,
                k,
                kernels,
                parts,
                false)
          }
        };
        for (PairLayout[] pair : layouts) {
          assertEquals("BFLOAT16", pair[0].storage(), where);
          assertEquals("FLOAT32", pair[1].storage(), where);
          float[][] dz = new float[2][pairs * k];
          float[][] coef = new float[2][pairs];
          float[][] grad = new float[2][k * d];
          double[] loss = new double[2];
          float[][] projected = new float[2][pairs * k];
          for (int i = 0; i < 2; i++) {
            loss[i] =
                pair[i].lossAndGradient(pr.basis, pr.userW, pr.factor, dz[i], coef[i], grad[i]);
            pair[i].project(pr.basis, projected[i]);
          }
          String w = where + " " + pair[0].name();
          assertEquals(Double.doubleToLongBits(loss[1]), Double.doubleToLongBits(loss[0]), w);
          assertArrayEquals(dz[1], dz[0], w + " dz");
          assertArrayEquals(coef[1], coef[0], w + " coef");
          assertArrayEquals(grad[1], grad[0], w + " grad");
          assertArrayEquals(projected[1], projected[0], w + " project");
        }
      }
    }
  }

  @Test
  void partitionsOnAnExecutorGiveTheSameBits() throws Exception {
    Problem pr = Problem.random(SEED, 30, 77, 5, 50, 7);
    int pairs = pr.chosen.length;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (boolean differences : new boolean[] {true, false}) {
        float[][] grads = new float[2][pr.k * pr.d];
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
          PairLayout layout =
              pr.layout(
                  differences, KernelProvider.get(), new Partitions(3, run == 0 ? null : pool));
          losses[run] =
              layout.lossAndGradient(
                  pr.basis,
                  pr.userW,
                  pr.factor,
                  new float[pairs * pr.k],
                  new float[pairs],
                  grads[run]);
        }
        assertEquals(Double.doubleToLongBits(losses[0]), Double.doubleToLongBits(losses[1]));
        assertArrayEquals(grads[0], grads[1]);
      }
    } finally {
      pool.shutdown();
    }
  }
}
