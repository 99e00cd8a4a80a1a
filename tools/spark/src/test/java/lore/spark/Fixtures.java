package lore.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import lore.PreferenceData;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.PairsCsv;

/**
 * Test data: items with Gaussian embeddings and users whose pairs are labelled by a planted
 * low-rank model with Bradley-Terry noise, written as the project's files (item table .npy and
 * pairs CSV), so that Spark and the single-machine trainer read the same bytes.
 */
final class Fixtures {
  final Path items;
  final Path pairs;
  final ItemTable table;
  final PreferenceData data;

  private Fixtures(Path items, Path pairs) throws IOException {
    this.items = items;
    this.pairs = pairs;
    this.table = ItemTable.read(items, null, null);
    this.data = PairsCsv.read(pairs, table);
  }

  /**
   * Writes {@code users} users with 5 to {@code maxPairs} pairs each over {@code n} items of
   * dimension {@code d}, labelled by a planted rank-{@code rank} model, into {@code dir}.
   */
  static Fixtures write(Path dir, long seed, int n, int d, int users, int maxPairs, int rank)
      throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    float[] items = new float[n * d];
    for (int i = 0; i < items.length; i++) {
      items[i] = (float) r.nextGaussian();
    }
    float[] a = new float[rank * d];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (r.nextGaussian() * 3 / Math.sqrt(d));
    }
    PreferenceData.Builder b = PreferenceData.builder(items, n, d);
    for (int u = 0; u < users; u++) {
      double[] w = new double[rank];
      double s = 0;
      for (int j = 0; j < rank; j++) {
        w[j] = -Math.log(1 - r.nextDouble());
        s += w[j];
      }
      int m = 5 + r.nextInt(maxPairs - 4);
      for (int p = 0; p < m; p++) {
        int c = r.nextInt(n);
        int q = (c + 1 + r.nextInt(n - 1)) % n;
        double margin = 0;
        for (int j = 0; j < rank; j++) {
          for (int t = 0; t < d; t++) {
            margin += w[j] / s * a[j * d + t] * (items[c * d + t] - items[q * d + t]);
          }
        }
        String user = "user-" + (u * 7919 % 1009); // ids not in the order users appear
        if (r.nextDouble() < 1 / (1 + Math.exp(-margin))) {
          b.add(user, c, q);
        } else {
          b.add(user, q, c);
        }
      }
    }
    Path itemsFile = dir.resolve("items.npy");
    Path pairsFile = dir.resolve("pairs.csv");
    Npy.writeFloat32(itemsFile, items, n, d);
    PairsCsv.write(pairsFile, b.build());
    return new Fixtures(itemsFile, pairsFile);
  }
}
