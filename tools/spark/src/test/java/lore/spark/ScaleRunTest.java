package lore.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import lore.TrainConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

class ScaleRunTest {
  @TempDir Path dir;

  @Test
  void recordsOnePhasePerPassWithTheBytesSparkReports() throws IOException {
    // 8 partitions: treeAggregate (depth 2) then sums the partials in a shuffle of its own
    ScaleRun.Settings s =
        new ScaleRun.Settings(300, 5, 8, 40, 2, 2, 3, 8, TrainConfig.Layout.ITEMS, 1);
    ScaleRun.Record r = ScaleRun.run(LocalSpark.context(), s);

    assertEquals(1500, r.pairs());
    assertEquals(
        List.of("pass 1", "pass 2", "pass 3"), r.passes().stream().map(p -> p.name()).toList());
    assertEquals("generate", r.phases().getFirst().name());
    assertEquals("final", r.phases().getLast().name());
    int kd = s.rank() * s.dim();
    for (ScaleRun.Phase p : r.passes()) {
      JobAccounting.Totals t = p.totals();
      assertTrue(p.wallMs() > 0, p.name());
      assertTrue(t.jobs >= 1, p.name());
      assertTrue(t.tasks >= s.partitions(), p.name() + ": a task per partition at least");
      // every partition's k x d + 1 partial sums in double go through the shuffle
      assertTrue(
          t.shuffleWriteBytes >= (long) s.partitions() * (kd + 1) * 8,
          p.name() + " shuffled " + t.shuffleWriteBytes);
      assertEquals(t.shuffleWriteBytes, t.shuffleReadBytes, p.name() + ": all written is read");
      assertTrue(t.resultBytes > 0, p.name());
      assertTrue(Double.isFinite(p.loss()), p.name());
    }
    ScaleRun.Phase gen = r.phases().getFirst();
    assertTrue(gen.totals().jobs >= 1, "the counts that materialize the shards");
    assertEquals(0, gen.totals().shuffleWriteBytes, "users are generated where they live");
    assertTrue(r.memory().cachedShardsBytes() > 0);
    assertTrue(
        r.memory().cachedAtLastPassBytes() > r.memory().cachedShardsBytes(),
        "the users' parameters are cached besides the shards");
    assertTrue(Double.isFinite(r.finalLoss()));

    Path out = dir.resolve("scale.json");
    ScaleRun.write(r, out);
    String json = Files.readString(out);
    assertTrue(json.contains("\"name\": \"pass 3\""), json);
    assertFalse(json.contains("\"name\": \"pass 4\""), json);
    assertTrue(json.contains("\"users\": 300"), json);
    assertFalse(Files.exists(out.resolveSibling(".scale.json.tmp")));
  }

  @Test
  void countsOnlyTheTasksOfItsOwnPhase() {
    JavaSparkContext sc = LocalSpark.context();
    JobAccounting acc = new JobAccounting();
    sc.sc().addSparkListener(acc);
    try {
      JobAccounting.phase(sc, "mine");
      shuffleJob(sc); // 3 map tasks, 2 reduce tasks
      JobAccounting.phase(sc, null);
      shuffleJob(sc); // another caller's job: not counted
      acc.drain(sc, 60);
    } finally {
      JobAccounting.phase(sc, null);
      sc.sc().removeSparkListener(acc);
    }
    JobAccounting.Totals t = acc.totals("mine");
    assertEquals(1, t.jobs);
    assertEquals(5, t.tasks);
    assertTrue(t.shuffleWriteBytes > 0);
    assertEquals(t.shuffleWriteBytes, t.shuffleReadBytes);
    assertTrue(t.resultBytes > 0);
    assertEquals(0, acc.totals("other").tasks);
  }

  @Test
  void settingsNameTheBadFieldBeforeSparkStarts() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ScaleRun.Settings(0, 5, 8, 40, 2, 2, 3, 8, TrainConfig.Layout.ITEMS, 1));
    assertTrue(e.getMessage().startsWith("users must be at least 1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ScaleRun.Settings(10, 5, 8, 40, 2, 9, 3, 8, TrainConfig.Layout.ITEMS, 1));
    assertTrue(e.getMessage().contains("the rank (9)"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ScaleRun.Settings(10, 5, 8, 1, 2, 2, 3, 8, TrainConfig.Layout.ITEMS, 1));
    assertTrue(e.getMessage().startsWith("items must be at least 2"), e.getMessage());
  }

  private static void shuffleJob(JavaSparkContext sc) {
    long n =
        sc.parallelize(List.of(1, 2, 3, 4, 5, 6), 3)
            .mapToPair(i -> new Tuple2<>(i % 4, i))
            .reduceByKey(Integer::sum, 2)
            .count();
    assertEquals(4, n);
  }
}
