import java.util.Locale;
import lore.internal.kernel.Bf16;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;

/**
 * The two kernels of one block of the fused training pass (8 rows of d = 4096, rank 10), float32
 * against bf16 rows, with every operand in cache: what each costs when memory is not the limit.
 * An ad-hoc timing loop, not JMH (see bench/RESULTS.md run 8). Usage, from the repository root
 * after a build:
 *
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp engine/target/classes \
 *     tools/docs/experiments/bf16/BlockProbe.java
 * </pre>
 */
public class BlockProbe {
  public static void main(String[] a) {
    Kernels k = KernelProvider.choose("panama");
    int d = 4096;
    int rows = 8;
    int rank = 10;
    float[] fx = new float[rows * d];
    short[] x = new short[rows * d];
    float[] basis = new float[rank * d];
    float[] coef = new float[rows * rank];
    for (int i = 0; i < x.length; i++) {
      x[i] = Bf16.fromFloat((float) Math.sin(i));
      fx[i] = Bf16.toFloat(x[i]);
    }
    for (int i = 0; i < basis.length; i++) {
      basis[i] = (float) Math.cos(i);
    }
    for (int i = 0; i < coef.length; i++) {
      coef[i] = 1e-3f * i;
    }
    float[] out = new float[rows * rank];
    float[] grad = new float[rank * d];
    Kernels.Workspace ws = k.workspace();
    String[] modes = {"project float32", "project bf16", "gradient float32", "gradient bf16"};
    double[] best = new double[modes.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int rep = 0; rep < 30; rep++) {
      for (int m = 0; m < modes.length; m++) {
        long t = System.nanoTime();
        for (int i = 0; i < 2000; i++) {
          switch (m) {
            case 0 -> k.project(fx, 0, rows, d, basis, rank, out, 0, ws);
            case 1 -> k.projectBf16(x, 0, rows, d, basis, rank, out, 0, ws);
            case 2 -> k.accumulateGradient(coef, 0, fx, 0, rows, d, rank, grad);
            default -> k.accumulateGradientBf16(coef, 0, x, 0, rows, d, rank, grad, ws);
          }
        }
        best[m] = Math.min(best[m], (System.nanoTime() - t) / 2000e3);
      }
    }
    for (int m = 0; m < modes.length; m++) {
      System.out.printf(
          Locale.ROOT,
          "%-18s %6.2f us per block (best of 30 x 2000), %s%n",
          modes[m],
          best[m],
          k.name());
    }
  }
}
