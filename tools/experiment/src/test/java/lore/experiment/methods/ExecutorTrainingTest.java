package lore.experiment.methods;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import lore.FitConfig;
import lore.TrainConfig;
import lore.experiment.PreferenceMethod;
import org.junit.jupiter.api.Test;

/**
 * LoRe and BT trained on an executor give the very model they give on the calling thread with the
 * same number of partitions (the engine sums partitions in a fixed order), and the executor is
 * actually used.
 */
class ExecutorTrainingTest {
  static final long SEED = Long.getLong("lore.test.seed", 20250611L);

  @Test
  void executorTrainingIsBitwiseTheSameAsSerial() throws Exception {
    Planted p = Planted.create(SEED, 60, 8, 30, 10, 40, 9, 10);
    TrainConfig config = TrainConfig.defaults().withRank(3).withSteps(40).withThreads(3);
    Set<String> threadsUsed = ConcurrentHashMap.newKeySet();
    AtomicInteger tasks = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Executor counting =
          r -> {
            tasks.incrementAndGet();
            pool.execute(
                () -> {
                  threadsUsed.add(Thread.currentThread().getName());
                  r.run();
                });
          };
      List<PreferenceMethod[]> pairs =
          List.of(
              new PreferenceMethod[] {
                LoReMethod.create(config, FitConfig.defaults()),
                LoReMethod.create("LoRe", config, FitConfig.defaults(), counting)
              },
              new PreferenceMethod[] {BtMethod.create(config), BtMethod.create(config, counting)});
      for (PreferenceMethod[] m : pairs) {
        String msg = m[0].name() + " seed=" + SEED;
        int before = tasks.get();
        PreferenceMethod.Trained serial = m[0].train(p.train(), SEED);
        assertEquals(before, tasks.get(), msg + ": no executor, no tasks");
        PreferenceMethod.Trained parallel = m[1].train(p.train(), SEED);
        assertTrue(tasks.get() > before, msg + ": the executor ran partitions");
        var a = ((LoReMethod.LinearTrained) serial).model();
        var b = ((LoReMethod.LinearTrained) parallel).model();
        assertArrayEquals(a.basis(), b.basis(), msg + ": basis");
        assertArrayEquals(serial.margins(p.seenTest()), parallel.margins(p.seenTest()), msg);
        serial.adapt(p.fewShot(), SEED);
        parallel.adapt(p.fewShot(), SEED);
        assertArrayEquals(serial.margins(p.newTest()), parallel.margins(p.newTest()), msg);
      }
      assertTrue(threadsUsed.stream().allMatch(n -> n.startsWith("pool-")), threadsUsed.toString());
    } finally {
      pool.shutdown();
    }
    // another partition count is another (equally valid) model: the comparison above is not vacuous
    var one =
        (LoReMethod.LinearTrained)
            LoReMethod.create(config.withThreads(1), FitConfig.defaults()).train(p.train(), SEED);
    var three =
        (LoReMethod.LinearTrained)
            LoReMethod.create(config, FitConfig.defaults()).train(p.train(), SEED);
    assertNotEquals(
        java.util.Arrays.toString(one.model().basis()),
        java.util.Arrays.toString(three.model().basis()),
        "partition count changes summation order");
  }
}
