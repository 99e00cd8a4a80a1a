package lore.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import lore.RewardModel;
import lore.TrainConfig;
import lore.internal.io.AtomicReplace;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.RDDInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scala.Tuple2;

/**
 * A scale record: users generated inside the executors ({@link SparkPairs#generate}), trained by
 * {@link SparkTrainer}, with what Spark reports per pass (wall time on the driver, bytes shuffled,
 * bytes of task results sent to the driver, executor run time), the one-off generation, the final
 * solve and collection, and memory (cached RDDs, the storage memory of the executors, the heap of
 * this JVM). Writes the record as JSON (atomically) and prints a table.
 */
@Command(
    name = "lore-spark-scale",
    mixinStandardHelpOptions = true,
    description = {
      "Generate users in the executors, train on Spark and record time, bytes and memory per pass."
    })
public final class ScaleRun implements Callable<Integer> {
  @Option(
      names = "--master",
      defaultValue = "local[2]",
      description = "Spark master (default: ${DEFAULT-VALUE}); spark-submit's wins when set.")
  String master;

  @Option(names = "--users", required = true, description = "Users to generate.")
  long users;

  @Option(
      names = "--pairs-per-user",
      defaultValue = "20",
      description = "Pairs per user (default: ${DEFAULT-VALUE}).")
  int pairsPerUser;

  @Option(
      names = "--dim",
      defaultValue = "256",
      description = "Embedding dimension (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(
      names = "--items",
      defaultValue = "10000",
      description = "Items in the broadcast table (default: ${DEFAULT-VALUE}).")
  int items;

  @Option(
      names = "--planted-rank",
      defaultValue = "4",
      description = "Rank of the planted model (default: ${DEFAULT-VALUE}).")
  int plantedRank;

  @Option(
      names = "--rank",
      defaultValue = "4",
      description = "Rank trained (default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(
      names = "--steps",
      defaultValue = "10",
      description = "Optimizer steps, one pass each (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--partitions",
      defaultValue = "8",
      description = "Partitions of users (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--layout",
      defaultValue = "ITEMS",
      description =
          "Pair layout in the partitions: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  TrainConfig.Layout layout;

  @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--out", required = true, description = "The JSON record to write.")
  Path out;

  /** What a run generates and trains. */
  record Settings(
      long users,
      int pairsPerUser,
      int dim,
      int items,
      int plantedRank,
      int rank,
      int steps,
      int partitions,
      TrainConfig.Layout layout,
      long seed) {
    /** Checked before Spark starts, so a typo does not cost a context and a generation. */
    Settings {
      positive("users", users);
      positive("pairs per user", pairsPerUser);
      positive("dim", dim);
      positive("steps", steps);
      positive("partitions", partitions);
      if (items < 2) {
        throw new IllegalArgumentException(
            "items must be at least 2 (pairs of distinct items), got " + items);
      }
      if (plantedRank < 1 || plantedRank > dim || rank < 1 || rank > dim) {
        throw new IllegalArgumentException(
            "the planted rank ("
                + plantedRank
                + ") and the rank ("
                + rank
                + ") must be in [1, dim "
                + dim
                + "]");
      }
      if (layout == null) {
        throw new IllegalArgumentException("layout must be set");
      }
    }

    private static void positive(String name, long v) {
      if (v < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, got " + v);
      }
    }
  }

  /** One phase: a pass, the generation, or the final solve and collection of the weights. */
  record Phase(String name, double wallMs, double loss, JobAccounting.Totals totals, long cached) {}

  /** Memory as Spark and the JVM report it. */
  record Memory(
      long cachedShardsBytes,
      long cachedAtLastPassBytes,
      long cachedOnDiskBytes,
      long storageMaxBytes,
      long storageUsedAtLastPassBytes,
      long heapLiveWithDataBytes,
      long heapLiveAfterReleaseBytes,
      long heapPoolPeaksBytes,
      long heapMaxBytes) {}

  /** A run's record. */
  record Record(
      Settings settings,
      String master,
      int cores,
      long pairs,
      List<Phase> phases,
      Memory memory,
      double finalLoss) {
    /** The passes (not the generation or the final phase). */
    List<Phase> passes() {
      return phases.stream().filter(p -> p.name().startsWith("pass")).toList();
    }
  }

  /**
   * Generates, trains and measures in {@code sc}; the context's other users' jobs are not counted.
   */
  static Record run(JavaSparkContext sc, Settings s) {
    JobAccounting acc = new JobAccounting();
    sc.sc().addSparkListener(acc);
    String before = sc.getLocalProperty(JobAccounting.PHASE);
    resetHeapPeaks();
    List<Phase> phases = new ArrayList<>();
    long[] cachedAtLastPass = new long[2];
    try {
      JobAccounting.phase(sc, "generate");
      long t0 = System.nanoTime();
      SparkPairs data =
          SparkPairs.generate(
              sc,
              new SparkPairs.Planted(
                  s.users(), s.pairsPerUser(), s.dim(), s.items(), s.plantedRank(), s.seed()),
              SparkPairs.Options.of(s.partitions()).withLayout(s.layout()));
      boolean released = false;
      try {
        long generated = System.nanoTime();
        long cachedShards = cachedBytes(sc)[0];
        TrainConfig config =
            TrainConfig.defaults().withRank(s.rank()).withSteps(s.steps()).withSeed(s.seed());
        double[] losses = new double[s.steps() + 1];
        long[] cachedPerPass = new long[s.steps() + 1];
        long[] ends = new long[s.steps() + 1];
        JobAccounting.phase(sc, "pass 1");
        RewardModel model =
            new SparkTrainer(config)
                .listener(
                    (step, n, loss) -> {
                      ends[step] = System.nanoTime();
                      losses[step] = loss;
                      cachedPerPass[step] = cachedBytes(sc)[0];
                      if (step == n) { // before the trainer drops the users' cache
                        long[] c = cachedBytes(sc);
                        cachedAtLastPass[0] = c[0] + c[1];
                        cachedAtLastPass[1] = storage(sc)[1];
                      }
                      JobAccounting.phase(sc, step < n ? "pass " + (step + 1) : "final");
                    })
                .train(data);
        long done = System.nanoTime();
        ends[0] = generated;
        acc.drain(sc, 120);
        phases.add(
            new Phase(
                "generate", ms(generated - t0), Double.NaN, acc.totals("generate"), cachedShards));
        for (int i = 1; i <= s.steps(); i++) {
          String name = "pass " + i;
          phases.add(
              new Phase(
                  name, ms(ends[i] - ends[i - 1]), losses[i], acc.totals(name), cachedPerPass[i]));
        }
        phases.add(
            new Phase(
                "final",
                ms(done - ends[s.steps()]),
                Double.parseDouble(model.metadata().getOrDefault("finalLoss", "NaN")),
                acc.totals("final"),
                0));
        long[] onDisk = cachedBytes(sc);
        long heapPeaks = heapPoolPeaks();
        long withData = liveHeap(); // the shards, the engine's blocks in them, and the model
        model = null; // the collected model is the driver's; the rest is Spark's
        data.release();
        released = true;
        awaitUncached(sc, 30);
        Runtime rt = Runtime.getRuntime();
        Memory memory =
            new Memory(
                cachedShards,
                cachedAtLastPass[0],
                onDisk[1],
                storage(sc)[0],
                cachedAtLastPass[1],
                withData,
                liveHeap(),
                heapPeaks,
                rt.maxMemory());
        return new Record(
            s,
            sc.master(),
            sc.sc().defaultParallelism(),
            data.pairs(),
            phases,
            memory,
            phases.getLast().loss());
      } finally {
        if (!released) {
          data.release();
        }
      }
    } finally {
      JobAccounting.phase(sc, before);
      sc.sc().removeSparkListener(acc);
    }
  }

  /** Bytes of cached RDD partitions: in memory, on disk. */
  static long[] cachedBytes(JavaSparkContext sc) {
    long mem = 0;
    long disk = 0;
    for (RDDInfo r : sc.sc().getRDDStorageInfo()) {
      mem += r.memSize();
      disk += r.diskSize();
    }
    return new long[] {mem, disk};
  }

  /** The executors' storage memory: the maximum and what is in use, summed over executors. */
  static long[] storage(JavaSparkContext sc) {
    long max = 0;
    long used = 0;
    for (Tuple2<Object, Object> m :
        scala.jdk.javaapi.CollectionConverters.asJava(sc.sc().getExecutorMemoryStatus()).values()) {
      max += (Long) m._1();
      used += (Long) m._1() - (Long) m._2();
    }
    return new long[] {max, used};
  }

  /** The heap in use after a full collection (in local mode: the driver's and the executors'). */
  private static long liveHeap() {
    System.gc(); // what is live, not garbage awaiting collection
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** Waits until no RDD is cached: unpersisting is asynchronous. */
  private static void awaitUncached(JavaSparkContext sc, long timeoutSeconds) {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (sc.sc().getRDDStorageInfo().length > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void resetHeapPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** The sum of the heap pools' peaks: an upper bound of the heap's peak (pools peak apart). */
  private static long heapPoolPeaks() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** The record as JSON. */
  static String json(Record r) {
    StringBuilder b = new StringBuilder("{\n");
    Settings s = r.settings();
    b.append("  \"settings\": {")
        .append(
            String.format(
                Locale.ROOT,
                "\"users\": %d, \"pairsPerUser\": %d, \"dim\": %d, \"items\": %d,"
                    + " \"plantedRank\": %d, \"rank\": %d, \"steps\": %d, \"partitions\": %d,"
                    + " \"layout\": \"%s\", \"seed\": %d",
                s.users(),
                s.pairsPerUser(),
                s.dim(),
                s.items(),
                s.plantedRank(),
                s.rank(),
                s.steps(),
                s.partitions(),
                s.layout(),
                s.seed()))
        .append("},\n");
    b.append("  \"master\": \"").append(r.master().replace("\"", "\\\"")).append("\",\n");
    b.append("  \"cores\": ").append(r.cores()).append(",\n");
    b.append("  \"pairs\": ").append(r.pairs()).append(",\n");
    b.append("  \"finalLoss\": ").append(number(r.finalLoss())).append(",\n");
    Memory m = r.memory();
    b.append("  \"memory\": {")
        .append(
            String.format(
                Locale.ROOT,
                "\"cachedShardsBytes\": %d, \"cachedAtLastPassBytes\": %d, \"cachedOnDiskBytes\": %d,"
                    + " \"storageMaxBytes\": %d, \"storageUsedAtLastPassBytes\": %d,"
                    + " \"heapLiveWithDataBytes\": %d, \"heapLiveAfterReleaseBytes\": %d,"
                    + " \"heapPoolPeaksBytes\": %d,"
                    + " \"heapMaxBytes\": %d",
                m.cachedShardsBytes(),
                m.cachedAtLastPassBytes(),
                m.cachedOnDiskBytes(),
                m.storageMaxBytes(),
                m.storageUsedAtLastPassBytes(),
                m.heapLiveWithDataBytes(),
                m.heapLiveAfterReleaseBytes(),
                m.heapPoolPeaksBytes(),
                m.heapMaxBytes()))
        .append("},\n");
    b.append("  \"phases\": [\n");
    for (int i = 0; i < r.phases().size(); i++) {
      Phase p = r.phases().get(i);
      JobAccounting.Totals t = p.totals();
      b.append(
          String.format(
              Locale.ROOT,
              "    {\"name\": \"%s\", \"wallMs\": %.1f, \"loss\": %s, \"jobs\": %d, \"tasks\": %d,"
                  + " \"shuffleWriteBytes\": %d, \"shuffleReadBytes\": %d, \"resultBytes\": %d,"
                  + " \"executorRunMs\": %d, \"spilledBytes\": %d, \"cachedBytes\": %d}%s\n",
              p.name(),
              p.wallMs(),
              number(p.loss()),
              t.jobs,
              t.tasks,
              t.shuffleWriteBytes,
              t.shuffleReadBytes,
              t.resultBytes,
              t.executorRunMs,
              t.spilledBytes,
              p.cached(),
              i + 1 < r.phases().size() ? "," : ""));
    }
    b.append("  ]\n}\n");
    return b.toString();
  }

  private static String number(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
  }

  /** The record as a table. */
  static void print(Record r, PrintStream o) {
    Settings s = r.settings();
    o.printf(
        Locale.ROOT,
        "%d users x %d pairs (%d pairs), d %d, %d items, rank %d, %d partitions, %s, %s (%d cores)%n",
        s.users(),
        s.pairsPerUser(),
        r.pairs(),
        s.dim(),
        s.items(),
        s.rank(),
        s.partitions(),
        s.layout(),
        r.master(),
        r.cores());
    o.printf(
        Locale.ROOT,
        "%-9s %10s %5s %6s %14s %14s %14s %12s %12s%n",
        "phase",
        "wall ms",
        "jobs",
        "tasks",
        "shuffle write",
        "shuffle read",
        "result bytes",
        "exec run ms",
        "cached MiB");
    for (Phase p : r.phases()) {
      JobAccounting.Totals t = p.totals();
      o.printf(
          Locale.ROOT,
          "%-9s %10.1f %5d %6d %14d %14d %14d %12d %12.1f%n",
          p.name(),
          p.wallMs(),
          t.jobs,
          t.tasks,
          t.shuffleWriteBytes,
          t.shuffleReadBytes,
          t.resultBytes,
          t.executorRunMs,
          p.cached() / 1048576.0);
    }
    Memory m = r.memory();
    o.printf(
        Locale.ROOT,
        "memory MiB: shards cached %.1f, cached at the last pass %.1f, storage used %.1f of %.1f,"
            + " heap live with the data %.1f, after releasing it %.1f, heap pool peaks %.1f of"
            + " max %.1f%n",
        m.cachedShardsBytes() / 1048576.0,
        m.cachedAtLastPassBytes() / 1048576.0,
        m.storageUsedAtLastPassBytes() / 1048576.0,
        m.storageMaxBytes() / 1048576.0,
        m.heapLiveWithDataBytes() / 1048576.0,
        m.heapLiveAfterReleaseBytes() / 1048576.0,
        m.heapPoolPeaksBytes() / 1048576.0,
        m.heapMaxBytes() / 1048576.0);
  }

  /** Writes {@code r} as JSON to {@code file}, atomically. */
  static void write(Record r, Path file) throws IOException {
    byte[] bytes = json(r).getBytes(StandardCharsets.UTF_8);
    AtomicReplace.replace(
        file,
        ch -> {
          ByteBuffer buf = ByteBuffer.wrap(bytes);
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        });
  }

  @Override
  public Integer call() throws IOException {
    Settings s;
    try {
      s =
          new Settings(
              users, pairsPerUser, dim, items, plantedRank, rank, steps, partitions, layout, seed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
    }
    Path dir = out.toAbsolutePath().getParent();
    if (dir == null || !java.nio.file.Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--out: the directory of " + out + " does not exist");
    }
    SparkConf conf =
        new SparkConf()
            .setIfMissing("spark.master", master)
            .setAppName("lore-spark-scale")
            .setIfMissing("spark.ui.enabled", "false");
    JavaSparkContext sc = new JavaSparkContext(conf);
    try {
      sc.setLogLevel("WARN");
      Record r = run(sc, s);
      write(r, out);
      print(r, System.out);
      System.out.println("record written to " + out);
    } finally {
      sc.stop();
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ScaleRun()).execute(args));
  }
}
