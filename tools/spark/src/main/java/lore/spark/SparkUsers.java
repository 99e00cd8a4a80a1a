package lore.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import lore.TrainConfig;
import lore.internal.train.UserBlock;
import lore.internal.train.UserSide;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * The users' side of a training run on Spark: the users' parameters are an RDD with one array per
 * partition, zipped with the cached {@link Shard}s. Every pass broadcasts the basis, runs each
 * partition's {@link UserBlock} (loss, partial basis gradient, exact per-user solves) and sums the
 * partial gradients with {@code treeAggregate} in double: the sum of float partials in double is
 * exact unless they span more than 2^29 / partitions in magnitude, so the float gradient does not
 * depend on the order Spark merges them in. Losses and moments are summed on the driver in
 * partition order. The parameters of pass t are computed from those of pass t - 1 by a pure
 * function, so a retried task recomputes the same values; the lineage is cut by a checkpoint every
 * {@code checkpointInterval} passes (reliable when the context has a checkpoint directory, else
 * local). Driver-side; not thread-safe.
 */
final class SparkUsers implements UserSide {
  /** Test hook: fails the first attempt of this partition's task in this pass (-1: never). */
  static volatile int failPass = -1;

  static volatile int failPartition = -1;

  /** Test hook: how many failures were injected. */
  static final java.util.concurrent.atomic.AtomicInteger injected =
      new java.util.concurrent.atomic.AtomicInteger();

  private final SparkPairs data;
  private final JavaSparkContext sc;
  private final TrainConfig config;
  private final int k;
  private final int d;
  private final int checkpointInterval;
  private JavaRDD<float[]> state; // per partition: its users' parameters (empty: uniform)
  private JavaRDD<?> held; // the persisted RDD state is read from
  private JavaRDD<?> checkpointed; // the last checkpointed pass: kept until the next one
  private final List<Broadcast<?>> broadcasts = new ArrayList<>();
  private int passes;
  private Collected collected; // ids and weights of the current state

  SparkUsers(SparkPairs data, TrainConfig config, int checkpointInterval) {
    this.data = data;
    this.sc = data.sc;
    this.config = config;
    this.k = config.rank();
    this.d = data.dim;
    this.checkpointInterval = checkpointInterval;
    if (data.users * k > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          data.users + " users at rank " + k + " do not fit in one model file");
    }
  }

  @Override
  public int users() {
    return (int) data.users;
  }

  @Override
  public long pairs() {
    return data.pairs;
  }

  @Override
  public String layoutName() {
    TreeSet<String> names =
        new TreeSet<>(
            data.shards.map(s -> s.differences != null ? "DIFFERENCES" : "ITEMS").collect());
    return "SPARK:" + String.join("+", names);
  }

  @Override
  public String storage() {
    return config.storage().name(); // every partition's block stores its rows so
  }

  @Override
  public void initialize(float[] params) {
    release();
    if (params == null) {
      state = data.shards.map(s -> new float[0]);
      return;
    }
    // the users' global order is the order of their first lines
    long[] order =
        data.shards.map(s -> s.firstRows).collect().stream()
            .flatMapToLong(Arrays::stream)
            .sorted()
            .toArray();
    Broadcast<long[]> bcOrder = keep(sc.broadcast(order));
    Broadcast<float[]> bcParams = keep(sc.broadcast(params.clone()));
    int rank = k;
    state =
        data.shards.map(
            s -> {
              float[] all = bcParams.value();
              float[] mine = new float[s.users() * rank];
              for (int u = 0; u < s.users(); u++) {
                int g = Arrays.binarySearch(bcOrder.value(), s.firstRows[u]);
                System.arraycopy(all, g * rank, mine, u * rank, rank);
              }
              return mine;
            });
  }

  @Override
  public double step(float[] basis, float[] grad) {
    int pass = ++passes;
    JavaRDD<Result> out = run(basis, pass, true);
    int kd = k * d; // not the field: the closures must not capture this driver-side object
    double[] sum =
        out.treeAggregate(
            new double[kd + 1],
            (acc, r) -> {
              for (int i = 0; i < r.grad.length; i++) {
                acc[i] += r.grad[i];
              }
              acc[kd] += r.loss;
              return acc;
            },
            (a, b) -> {
              for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
              }
              return a;
            },
            2);
    for (int i = 0; i < grad.length; i++) {
      grad[i] = (float) sum[i];
    }
    advance(out);
    return sum[kd];
  }

  @Override
  public double polish(float[] basis) {
    int pass = ++passes;
    JavaRDD<Result> out = run(basis, pass, false);
    double loss = 0;
    for (double v : out.map(r -> r.loss).collect()) { // in partition order
      loss += v;
    }
    advance(out);
    return loss;
  }

  @Override
  public double pairSecondMoment() {
    TrainConfig c = config;
    Broadcast<float[]> items = data.items;
    double sum = 0;
    for (double v :
        data.shards.map(s -> s.block(c, valueOf(items), null).pairSquaredNorms()).collect()) {
      sum += v;
    }
    return data.pairs == 0 ? 0 : sum / data.pairs;
  }

  @Override
  public double[][] userMoments() {
    TrainConfig c = config;
    Broadcast<float[]> items = data.items;
    return UserSide.userMoments(
        k,
        (mean, sums) -> {
          int n = sums.length;
          List<double[]> parts =
              data.shards
                  .zipPartitions(
                      state,
                      (shards, params) -> {
                        Shard s = shards.next();
                        double[] part = new double[n];
                        synchronized (s) {
                          s.block(c, valueOf(items), uniformOrNull(params.next()))
                              .addMoments(mean, part);
                        }
                        return List.of(part).iterator();
                      })
                  .collect();
          for (double[] part : parts) {
            for (int i = 0; i < n; i++) {
              sums[i] += part[i];
            }
          }
        });
  }

  @Override
  public String[] userIds() {
    return collect().ids;
  }

  @Override
  public float[] weights() {
    return collect().weights;
  }

  /** Drops the cached parameters and the broadcasts of this run. */
  void release() {
    if (held != null) {
      held.unpersist(false);
      held = null;
    }
    if (checkpointed != null) {
      checkpointed.unpersist(false);
      checkpointed = null;
    }
    for (Broadcast<?> b : broadcasts) {
      b.unpersist(false);
    }
    broadcasts.clear();
    collected = null;
  }

  /** One pass: every partition's block at {@code basis}, a step or the final exact solve. */
  private JavaRDD<Result> run(float[] basis, int pass, boolean step) {
    Broadcast<float[]> bcBasis = keep(sc.broadcast(basis.clone()));
    Broadcast<float[]> items = data.items;
    TrainConfig c = config;
    int kd = k * d;
    JavaRDD<Result> out =
        data.shards
            .zipPartitions(
                state,
                (shards, params) -> {
                  Shard s = shards.next();
                  Result r;
                  synchronized (s) {
                    UserBlock block = s.block(c, valueOf(items), uniformOrNull(params.next()));
                    if (step) {
                      float[] g = new float[kd];
                      double loss = block.step(bcBasis.value(), g);
                      r = new Result(block.params().clone(), g, loss);
                    } else {
                      double loss = block.polish(bcBasis.value());
                      r = new Result(block.params().clone(), null, loss);
                    }
                  }
                  TaskContext task = TaskContext.get();
                  if (pass == failPass
                      && task.partitionId() == failPartition
                      && task.attemptNumber() == 0) {
                    injected.incrementAndGet();
                    throw new IllegalStateException(
                        "failure injected by a test in pass " + pass + " (users updated)");
                  }
                  return List.of(r).iterator();
                })
            .persist(StorageLevel.MEMORY_AND_DISK());
    if (pass % checkpointInterval == 0) {
      if (sc.getCheckpointDir().isPresent()) {
        out.checkpoint();
      } else {
        out.rdd().localCheckpoint();
      }
    }
    return out;
  }

  /** The next parameters are {@code out}'s; the previous pass's cache is dropped. */
  private void advance(JavaRDD<Result> out) {
    if (out.rdd().isCheckpointed() || out.rdd().isLocallyCheckpointed()) {
      // a local checkpoint lives in the cache: keep it, the passes after it are rebuilt from it
      if (checkpointed != null && checkpointed != held) {
        checkpointed.unpersist(false);
      }
      checkpointed = out;
    }
    if (held != null && held != checkpointed) {
      held.unpersist(false);
    }
    held = out;
    state = out.map(r -> r.params);
    collected = null;
  }

  private <T> Broadcast<T> keep(Broadcast<T> b) {
    broadcasts.add(b);
    return b;
  }

  /** The broadcast item table, or null when the partitions hold differences. */
  private static float[] valueOf(Broadcast<float[]> items) {
    return items == null ? null : items.value();
  }

  private static float[] uniformOrNull(float[] params) {
    return params.length == 0 ? null : params;
  }

  /** The users and weights of the current state, in the users' global order. */
  private Collected collect() {
    if (collected == null) {
      TrainConfig c = config;
      Broadcast<float[]> items = data.items;
      List<Collected> parts =
          data.shards
              .zipPartitions(
                  state,
                  (shards, params) -> {
                    Shard s = shards.next();
                    float[] w;
                    synchronized (s) {
                      w = s.block(c, valueOf(items), uniformOrNull(params.next())).weights();
                    }
                    return List.of(new Collected(s.firstRows, s.ids, w)).iterator();
                  })
              .collect();
      collected = Collected.merge(parts, k);
    }
    return collected;
  }

  /** One partition's output of a pass. */
  private record Result(float[] params, float[] grad, double loss) implements Serializable {}

  /** Users (by first line), their ids and weights. */
  private record Collected(long[] firstRows, String[] ids, float[] weights)
      implements Serializable {
    static Collected merge(List<Collected> parts, int k) {
      int n = parts.stream().mapToInt(p -> p.ids.length).sum();
      long[] rows = new long[n];
      String[] ids = new String[n];
      float[] w = new float[n * k];
      Integer[] order = new Integer[n];
      int[] part = new int[n];
      int[] slot = new int[n];
      int i = 0;
      for (int p = 0; p < parts.size(); p++) {
        Collected c = parts.get(p);
        for (int u = 0; u < c.ids.length; u++, i++) {
          rows[i] = c.firstRows[u];
          part[i] = p;
          slot[i] = u;
          order[i] = i;
        }
      }
      Arrays.sort(order, java.util.Comparator.comparingLong(j -> rows[j]));
      long[] sorted = new long[n];
      for (int j = 0; j < n; j++) {
        int src = order[j];
        Collected c = parts.get(part[src]);
        sorted[j] = rows[src];
        ids[j] = c.ids[slot[src]];
        System.arraycopy(c.weights, slot[src] * k, w, j * k, k);
      }
      return new Collected(sorted, ids, w);
    }
  }
}
