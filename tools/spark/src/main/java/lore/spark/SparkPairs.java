package lore.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.TrainConfig;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.PairsCsv;
import lore.internal.kernel.KernelProvider;
import lore.internal.train.PairLayout;
import lore.internal.train.UserBlock;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Training pairs on a Spark cluster: partitioned by user (every pair of a user in one partition),
 * held as primitive arrays per partition ({@link Shard}), cached, with the item table broadcast to
 * every executor. Read from the project's pairs CSV and an item table ({@link #read}), or generated
 * inside the executors from a planted model ({@link #generate}). Call {@link #release} when done.
 */
public final class SparkPairs {
  /** Largest item table that is broadcast by default: 2 GiB of floats. */
  public static final long DEFAULT_BROADCAST_LIMIT = 2L << 30;

  final JavaSparkContext sc;
  final JavaRDD<Shard> shards;
  final Broadcast<float[]> items;
  final int dim;
  final long users;
  final long pairs;
  final long cappedUsers;
  // broadcasts the shards' lineage reads (a lost partition is rebuilt from them): kept until
  // release
  private final List<Broadcast<?>> lineage;

  private SparkPairs(
      JavaSparkContext sc,
      JavaRDD<Shard> shards,
      Broadcast<float[]> items,
      int dim,
      List<Broadcast<?>> lineage) {
    this.sc = sc;
    this.shards = shards;
    this.items = items;
    this.dim = dim;
    this.lineage = lineage;
    long[] counts =
        shards
            .map(s -> new long[] {s.users(), s.pairs(), s.capped})
            .reduce((a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    this.users = counts[0];
    this.pairs = counts[1];
    this.cappedUsers = counts[2];
  }

  /** The number of users. */
  public long users() {
    return users;
  }

  /** The number of pairs (after the cap on pairs per user). */
  public long pairs() {
    return pairs;
  }

  /** The number of users whose pairs the cap cut. */
  public long cappedUsers() {
    return cappedUsers;
  }

  /** The embedding dimension. */
  public int dim() {
    return dim;
  }

  /** The number of partitions. */
  public int partitions() {
    return shards.getNumPartitions();
  }

  /** Drops the cached partitions and the broadcasts. */
  public void release() {
    shards.unpersist(false);
    items.destroy();
    lineage.forEach(Broadcast::destroy);
  }

  /** How pairs are read and laid out. */
  public record Options(int partitions, int maxPairsPerUser, long seed, TrainConfig.Layout layout)
      implements Serializable {
    /** Validates every field. */
    public Options {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
      }
      if (maxPairsPerUser < 1) {
        throw new IllegalArgumentException(
            "the cap on pairs per user must be at least 1, got " + maxPairsPerUser);
      }
      if (layout == null) {
        throw new IllegalArgumentException("layout must be set");
      }
    }

    /** {@code partitions} partitions, no cap, seed 42, layout chosen per partition. */
    public static Options of(int partitions) {
      return new Options(partitions, Integer.MAX_VALUE, 42L, TrainConfig.Layout.AUTO);
    }

    /** These options with at most {@code v} pairs per user (a seeded sample of the rest). */
    public Options withMaxPairsPerUser(int v) {
      return new Options(partitions, v, seed, layout);
    }

    /** These options with seed {@code v} for the per-user samples. */
    public Options withSeed(long v) {
      return new Options(partitions, maxPairsPerUser, v, layout);
    }

    /** These options with layout {@code v} in every partition (AUTO: chosen per partition). */
    public Options withLayout(TrainConfig.Layout v) {
      return new Options(partitions, maxPairsPerUser, seed, v);
    }
  }

  /**
   * Reads a pairs CSV (one file, at any Hadoop-compatible path; the header says whether items are
   * named by id or by row, see {@link PairsCsv}) over an item table that the driver has read, which
   * is broadcast to the executors. Every line is checked as {@link PairsCsv#read} checks it, with
   * the file and line in the message.
   *
   * @param broadcastLimit the largest item table (bytes of floats) to broadcast
   * @throws IOException for an empty file or a bad header
   * @throws IllegalArgumentException if the item table is larger than {@code broadcastLimit} (a bad
   *     row fails the job that first reads it, with Spark's exception, whose cause names the file
   *     and line)
   */
  public static SparkPairs read(
      JavaSparkContext sc, String pairsPath, ItemTable table, Options options, long broadcastLimit)
      throws IOException {
    Npy.Matrix m = table.matrix();
    long bytes = 4L * m.data().length;
    if (bytes > broadcastLimit) {
      throw new IllegalArgumentException(
          "the item table ("
              + m.rows()
              + " x "
              + m.cols()
              + ", "
              + (bytes >> 20)
              + " MiB) exceeds the broadcast limit of "
              + (broadcastLimit >> 20)
              + " MiB; raise the limit and the executors' memory, or train on fewer items");
    }
    JavaRDD<String> lines = sc.textFile(pairsPath);
    List<String> first = lines.take(1);
    String header = first.isEmpty() ? null : first.getFirst();
    if (header != null && header.startsWith("\uFEFF")) {
      header = header.substring(1);
    }
    Map<String, Integer> byId = PairsCsv.itemNames(header, table, pairsPath);
    Broadcast<Map<String, Integer>> names = byId == null ? null : sc.broadcast(byId);
    int rows = m.rows();
    JavaPairRDD<Key, int[]> pairs =
        lines
            .zipWithIndex()
            .flatMapToPair(
                t -> {
                  long lineNo = t._2() + 1;
                  if (lineNo == 1) {
                    return List.<Tuple2<Key, int[]>>of().iterator();
                  }
                  PairsCsv.Line l =
                      PairsCsv.parseLine(
                          t._1(), names == null ? null : names.value(), rows, pairsPath, lineNo);
                  return l == null
                      ? List.<Tuple2<Key, int[]>>of().iterator()
                      : List.of(
                              new Tuple2<>(
                                  new Key(l.user(), lineNo), new int[] {l.chosen(), l.rejected()}))
                          .iterator();
                });
    Broadcast<float[]> items = sc.broadcast(m.data());
    int dim = m.cols();
    JavaRDD<Shard> shards =
        pairs
            .repartitionAndSortWithinPartitions(
                new UserPartitioner(options.partitions()), new KeyOrder())
            .mapPartitions(
                it -> List.of(shard(it, items.value(), rows, dim, options)).iterator(), true)
            .persist(StorageLevel.MEMORY_AND_DISK());
    SparkPairs data =
        new SparkPairs(sc, shards, items, dim, names == null ? List.of() : List.of(names));
    if (data.pairs == 0) {
      data.release();
      throw new IOException(pairsPath + ": no comparisons after the header");
    }
    return data;
  }

  /** One partition's sorted rows (user, then line) as a shard: cap, order, layout. */
  private static Shard shard(
      Iterator<Tuple2<Key, int[]>> it, float[] items, int rows, int dim, Options options) {
    List<String> ids = new ArrayList<>();
    List<long[]> userRows = new ArrayList<>(); // per user: lines
    List<int[]> userItems = new ArrayList<>(); // per user: chosen, rejected interleaved
    String current = null;
    long[] lineBuf = new long[16];
    int[] itemBuf = new int[32];
    int n = 0;
    while (true) {
      Tuple2<Key, int[]> t = it.hasNext() ? it.next() : null;
      if (current != null && (t == null || !t._1().user().equals(current))) {
        ids.add(current);
        userRows.add(Arrays.copyOf(lineBuf, n));
        userItems.add(Arrays.copyOf(itemBuf, 2 * n));
        n = 0;
      }
      if (t == null) {
        break;
      }
      current = t._1().user();
      if (n == lineBuf.length) {
        lineBuf = Arrays.copyOf(lineBuf, 2 * n);
        itemBuf = Arrays.copyOf(itemBuf, 4 * n);
      }
      lineBuf[n] = t._1().line();
      itemBuf[2 * n] = t._2()[0];
      itemBuf[2 * n + 1] = t._2()[1];
      n++;
    }
    return build(ids, userRows, userItems, items, rows, dim, options);
  }

  /**
   * A shard of users (each with its lines in input order and item pairs): every user's pairs cut to
   * the cap by a sample seeded by the user id, users ordered by their first line, then laid out.
   */
  static Shard build(
      List<String> ids,
      List<long[]> userRows,
      List<int[]> userItems,
      float[] items,
      int rows,
      int dim,
      Options options) {
    int users = ids.size();
    Integer[] order = new Integer[users];
    for (int u = 0; u < users; u++) {
      order[u] = u;
    }
    Arrays.sort(order, Comparator.comparingLong(u -> userRows.get(u)[0]));
    String[] outIds = new String[users];
    long[] firstRows = new long[users];
    int[] pairStart = new int[users + 1];
    int[][] kept = new int[users][];
    int capped = 0;
    for (int i = 0; i < users; i++) {
      int u = order[i];
      outIds[i] = ids.get(u);
      firstRows[i] = userRows.get(u)[0];
      int m = userRows.get(u).length;
      kept[i] = sample(m, options.maxPairsPerUser(), options.seed(), outIds[i]);
      capped += kept[i].length < m ? 1 : 0;
      pairStart[i + 1] = pairStart[i] + kept[i].length;
    }
    int pairs = pairStart[users];
    int[] chosen = new int[pairs];
    int[] rejected = new int[pairs];
    for (int i = 0; i < users; i++) {
      int[] it = userItems.get(order[i]);
      for (int j = 0; j < kept[i].length; j++) {
        chosen[pairStart[i] + j] = it[2 * kept[i][j]];
        rejected[pairStart[i] + j] = it[2 * kept[i][j] + 1];
      }
    }
    int referenced = PairLayout.Items.referenced(rows, chosen, rejected);
    Shard s;
    if (UserBlock.chooseLayout(options.layout(), pairs, referenced, dim)
        == TrainConfig.Layout.DIFFERENCES) {
      float[] x = new float[Math.multiplyExact(pairs, dim)];
      for (int p = 0; p < pairs; p++) { // exactly c - r, as the single-machine layout
        System.arraycopy(items, chosen[p] * dim, x, p * dim, dim);
        KernelProvider.get().axpy(-1f, items, rejected[p] * dim, x, p * dim, dim);
      }
      s = new Shard(outIds, firstRows, pairStart, dim, null, null, x, capped);
    } else {
      s = new Shard(outIds, firstRows, pairStart, dim, chosen, rejected, null, capped);
    }
    return s;
  }

  /**
   * Which of a user's {@code m} pairs to keep, in input order: all when {@code m <= cap}, else a
   * uniform sample of {@code cap} by reservoir sampling with a generator seeded by the seed and the
   * user id, so that the sample does not depend on the partitioning.
   */
  static int[] sample(int m, int cap, long seed, String user) {
    int[] keep = new int[Math.min(m, cap)];
    for (int j = 0; j < keep.length; j++) {
      keep[j] = j;
    }
    if (m <= cap) {
      return keep;
    }
    SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * user.hashCode()));
    for (int j = cap; j < m; j++) {
      int r = rnd.nextInt(j + 1);
      if (r < cap) {
        keep[r] = j;
      }
    }
    Arrays.sort(keep);
    return keep;
  }

  /**
   * Pairs generated inside the executors from a planted LoRe model, for scale runs: {@code users}
   * users (ids {@code u0, u1, ...}), each with {@code pairsPerUser} pairs of distinct items drawn
   * uniformly from a shared table of {@code itemCount} standard-normal items, labelled by the
   * Bradley-Terry model of a planted basis (rank {@code rank}, standard normal, divided by sqrt(d))
   * and Dirichlet(1) weights per user. User u lives in partition {@code u mod partitions}; no
   * shuffle. The driver makes the items and the basis; all else is drawn from generators seeded by
   * the seed and the user.
   */
  public static SparkPairs generate(
      JavaSparkContext sc,
      long users,
      int pairsPerUser,
      int dim,
      int itemCount,
      int rank,
      long seed,
      Options options) {
    if (users < 1 || pairsPerUser < 1 || itemCount < 2 || rank < 1 || dim < 1) {
      throw new IllegalArgumentException(
          "need users, pairs per user, rank, dim >= 1 and at least 2 items");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] table = new float[Math.multiplyExact(itemCount, dim)];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) rnd.nextGaussian();
    }
    float[] planted = new float[rank * dim];
    for (int i = 0; i < planted.length; i++) {
      planted[i] = (float) (rnd.nextGaussian() / Math.sqrt(dim));
    }
    Broadcast<float[]> items = sc.broadcast(table);
    Broadcast<float[]> basis = sc.broadcast(planted);
    int parts = options.partitions();
    List<Integer> partIds = new ArrayList<>(parts);
    for (int p = 0; p < parts; p++) {
      partIds.add(p);
    }
    JavaRDD<Shard> shards =
        sc.parallelize(partIds, parts)
            .map(
                p ->
                    generated(
                        p,
                        parts,
                        users,
                        pairsPerUser,
                        dim,
                        itemCount,
                        rank,
                        seed,
                        items.value(),
                        basis.value(),
                        options))
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new SparkPairs(sc, shards, items, dim, List.of(basis));
  }

  private static Shard generated(
      int part,
      int parts,
      long users,
      int pairsPerUser,
      int dim,
      int itemCount,
      int rank,
      long seed,
      float[] items,
      float[] planted,
      Options options) {
    // project every item once: the planted reward of user u on item i is w_u . z_i
    float[] z = new float[itemCount * rank];
    for (int i = 0; i < itemCount; i++) {
      for (int b = 0; b < rank; b++) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
          s += (double) planted[b * dim + j] * items[i * dim + j];
        }
        z[i * rank + b] = (float) s;
      }
    }
    List<String> ids = new ArrayList<>();
    List<long[]> userRows = new ArrayList<>();
    List<int[]> userItems = new ArrayList<>();
    double[] w = new double[rank];
    for (long u = part; u < users; u += parts) {
      SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (u + 1)));
      double sum = 0;
      for (int b = 0; b < rank; b++) {
        w[b] = -Math.log(1 - rnd.nextDouble()); // Dirichlet(1) by normalized exponentials
        sum += w[b];
      }
      long[] lines = new long[pairsPerUser];
      int[] pairItems = new int[2 * pairsPerUser];
      for (int j = 0; j < pairsPerUser; j++) {
        int a = rnd.nextInt(itemCount);
        int c = rnd.nextInt(itemCount - 1);
        c += c >= a ? 1 : 0;
        double margin = 0;
        for (int b = 0; b < rank; b++) {
          margin += w[b] / sum * (z[a * rank + b] - z[c * rank + b]);
        }
        boolean aWins = rnd.nextDouble() < 1 / (1 + Math.exp(-margin));
        lines[j] = u * pairsPerUser + j;
        pairItems[2 * j] = aWins ? a : c;
        pairItems[2 * j + 1] = aWins ? c : a;
      }
      ids.add("u" + u);
      userRows.add(lines);
      userItems.add(pairItems);
    }
    return build(ids, userRows, userItems, items, itemCount, dim, options);
  }

  /** A pair's sort key: its user, then its line in the input. */
  record Key(String user, long line) implements Serializable {}

  /** Orders keys by user id, then line. */
  static final class KeyOrder implements Comparator<Key>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Key a, Key b) {
      int c = a.user().compareTo(b.user());
      return c != 0 ? c : Long.compare(a.line(), b.line());
    }
  }

  /** Partitions keys by the hash of their user id alone, so a user's pairs stay together. */
  static final class UserPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    UserPartitioner(int partitions) {
      this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
      return partitions;
    }

    @Override
    public int getPartition(Object key) {
      return Math.floorMod(((Key) key).user().hashCode(), partitions);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof UserPartitioner p && p.partitions == partitions;
    }

    @Override
    public int hashCode() {
      return partitions;
    }
  }
}
