package lore.spark;

import java.io.Serializable;
import lore.TrainConfig;
import lore.internal.kernel.KernelProvider;
import lore.internal.train.Partitions;
import lore.internal.train.UserBlock;

/**
 * The users of one partition with all of their pairs: over the broadcast item table (item rows of
 * every pair) or over materialized pair differences. Users are in the order of their first row in
 * the input, pairs of a user in input order, so a partition's arithmetic does not depend on how
 * Spark delivered the rows. The engine's {@link UserBlock} for a configuration is built on first
 * use in an executor and kept with the cached partition (transient: rebuilt after a spill or on
 * another executor); every task sets the users' parameters from its input first, so a retried task
 * computes what the first attempt computed. Tasks that share a shard are serialized on it.
 */
final class Shard implements Serializable {
  private static final long serialVersionUID = 1L;

  final String[] ids;
  final long[] firstRows; // each user's first row in the input: the users' global order
  final int[] pairStart; // users + 1
  final int dim;
  final int[] chosen; // item rows, with items broadcast (null with differences)
  final int[] rejected;
  final float[] differences; // pairs x dim (null with items)
  final int capped; // users whose pairs the cap on pairs per user cut

  private transient UserBlock block;
  private transient TrainConfig blockConfig;

  Shard(
      String[] ids,
      long[] firstRows,
      int[] pairStart,
      int dim,
      int[] chosen,
      int[] rejected,
      float[] differences,
      int capped) {
    this.ids = ids;
    this.firstRows = firstRows;
    this.pairStart = pairStart;
    this.dim = dim;
    this.chosen = chosen;
    this.rejected = rejected;
    this.differences = differences;
    this.capped = capped;
  }

  int users() {
    return ids.length;
  }

  int pairs() {
    return pairStart[pairStart.length - 1];
  }

  /**
   * The block of these users for {@code config} (rebuilt when the configuration changes), its
   * parameters set to {@code params} (users x rank) or uniform weights when null.
   *
   * @param items the broadcast item table (n x dim) when the shard holds item rows
   */
  UserBlock block(TrainConfig config, float[] items, float[] params) {
    if (block == null || !config.equals(blockConfig)) {
      float[] p = new float[users() * config.rank()];
      Partitions one = new Partitions(1, null); // Spark runs the tasks in parallel
      block =
          differences != null
              ? UserBlock.ofDifferences(
                  config, differences, dim, pairStart, p, KernelProvider.get(), one)
              : UserBlock.of(
                  config.withLayout(TrainConfig.Layout.ITEMS),
                  items,
                  items.length / dim,
                  dim,
                  chosen,
                  rejected,
                  pairStart,
                  p,
                  KernelProvider.get(),
                  one);
      blockConfig = config;
    }
    block.setParams(params);
    return block;
  }
}
