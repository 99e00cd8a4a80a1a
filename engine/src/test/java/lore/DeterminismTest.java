package lore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class DeterminismTest {

  static PreferenceData data() {
    Planted pl = new Planted(21, 40, 3, 120, 30, 0.3);
    return pl.pairs("u", 0, 30, 25, 0, 120);
  }

  static float[] weights(RewardModel m) {
    float[] all = new float[m.userCount() * m.rank()];
    for (int u = 0; u < m.userCount(); u++) {
      System.arraycopy(m.weights(m.userId(u)).weights(), 0, all, u * m.rank(), m.rank());
    }
    return all;
  }

  @Test
  void sameSeedAndThreadCountGiveBitwiseIdenticalModels() {
    PreferenceData d = data();
    TrainConfig cfg = TrainConfig.defaults().withRank(3).withSteps(40).withThreads(3);
    RewardModel a = new Trainer(cfg).train(d);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      RewardModel b = new Trainer(cfg).executor(pool).train(d);
      assertArrayEquals(a.basis(), b.basis());
      assertArrayEquals(weights(a), weights(b));
    } finally {
      pool.shutdown();
    }
    RewardModel c = new Trainer(cfg.withSeed(43)).train(d);
    assertFalse(Arrays.equals(a.basis(), c.basis()), "a different seed should change the model");
  }

  @Test
  void layoutsAgreeUpToRounding() {
    PreferenceData d = data();
    for (TrainConfig.Optimizer opt : TrainConfig.Optimizer.values()) {
      TrainConfig base = TrainConfig.defaults().withRank(3).withSteps(15).withOptimizer(opt);
      RewardModel items = new Trainer(base.withLayout(TrainConfig.Layout.ITEMS)).train(d);
      RewardModel diffs = new Trainer(base.withLayout(TrainConfig.Layout.DIFFERENCES)).train(d);
      assertEquals("ITEMS", items.metadata().get("layout"));
      assertEquals("DIFFERENCES", diffs.metadata().get("layout"));
      float[] a = items.basis();
      float[] b = diffs.basis();
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-3 * (1 + Math.abs(a[i])), opt + " basis " + i);
      }
      assertArrayEquals(weights(items), weights(diffs), 2e-3f, opt.toString());
    }
  }
}
