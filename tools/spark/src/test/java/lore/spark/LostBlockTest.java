package lore.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import lore.RewardModel;
import lore.TrainConfig;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * What an executor loss after a checkpoint does: the cached users' parameters of a pass are dropped
 * (as when the executor that held them dies) and must be recomputed from their lineage.
 */
class LostBlockTest {
  static final TrainConfig CONFIG = TrainConfig.defaults().withRank(2);

  /**
   * Trains {@code steps} steps, dropping the cached parameters after step {@code dropAfterStep}.
   */
  static RewardModel train(JavaSparkContext sc, int steps, int dropAfterStep) {
    SparkPairs data =
        SparkPairs.generate(
            sc,
            new SparkPairs.Planted(60, 6, 8, 30, 2, 5),
            SparkPairs.Options.of(2).withLayout(TrainConfig.Layout.ITEMS));
    try {
      return new SparkTrainer(CONFIG.withSteps(steps))
          .listener(
              (step, n, loss) -> {
                if (step == dropAfterStep) {
                  dropNewestCachedRdd(sc, data);
                }
              })
          .train(data);
    } finally {
      data.release();
    }
  }

  /** Removes the blocks of the newest cached RDD other than the shards: this pass's parameters. */
  static void dropNewestCachedRdd(JavaSparkContext sc, SparkPairs data) {
    int newest = -1;
    for (Map.Entry<Integer, JavaRDD<?>> e : sc.getPersistentRDDs().entrySet()) {
      if (e.getKey() != data.shards.id() && e.getKey() > newest) {
        newest = e.getKey();
      }
    }
    assertTrue(newest >= 0, "a cached pass");
    SparkEnv.get().blockManager().removeRdd(newest);
  }

  @Test
  void aPassLostBeforeTheCheckpointIsRecomputed() {
    JavaSparkContext sc = LocalSpark.context();
    RewardModel clean = train(sc, 4, -1);
    RewardModel lost = train(sc, 4, 2); // pass 2's parameters recomputed from pass 1's
    assertArrayEquals(clean.basis(), lost.basis());
  }

  @Test
  void aPassLostAfterTheLocalCheckpointIsRecomputed() {
    JavaSparkContext sc = LocalSpark.context();
    RewardModel clean = train(sc, 12, -1);
    RewardModel lost = train(sc, 12, 11); // pass 11's parameters: their lineage reads pass 10's
    assertArrayEquals(clean.basis(), lost.basis());
  }
}
