package lore.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import lore.TrainConfig;
import lore.datasets.Dtype;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.PairsCsv;
import lore.internal.kernel.KernelProvider;
import lore.internal.train.PairLayout;
import lore.internal.train.UserBlock;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
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
  /**
   * Largest item table that is broadcast by default: 2 GiB of floats. A larger {@code .npy} is read
   * by the executors and joined to the pairs.
   */
  public static final long DEFAULT_BROADCAST_LIMIT = 2L << 30;

  final JavaSparkContext sc;
  final JavaRDD<Shard> shards;
  final Broadcast<float[]> items;
  final int dim;
  final int itemCount;
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
      int itemCount,
      List<Broadcast<?>> lineage) {
    this.sc = sc;
    this.shards = shards;
    this.items = items;
    this.dim = dim;
    this.itemCount = itemCount;
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

  /** The number of items in the table. */
  public int itemCount() {
    return itemCount;
  }

  /** Whether the item table is broadcast (else the partitions hold their pairs' differences). */
  public boolean itemsBroadcast() {
    return items != null;
  }

  /** Drops the cached partitions and the broadcasts. */
  public void release() {
    shards.unpersist(false);
    if (items != null) {
      items.destroy();
    }
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
   * named by id or by row, see {@link PairsCsv}) over an item table ({@code .npy} or {@code
   * .safetensors}, with its {@code .ids.txt} side file if there is one). A table of at most {@code
   * broadcastLimit} bytes of floats is read by the driver and broadcast; a larger {@code .npy} is
   * read by the executors in row ranges and joined to the pairs once, each partition then holding
   * its pairs' differences. Every line is checked as {@link PairsCsv#read} checks it, with the file
   * and line in the message (a bad row fails the job that first reads it, with Spark's exception,
   * whose cause names the file and line).
   *
   * @param broadcastLimit the largest item table (bytes of floats) to broadcast
   * @throws IOException for a missing or malformed item table, an empty pairs file or a bad header
   */
  public static SparkPairs read(
      JavaSparkContext sc, String pairsPath, String itemsPath, Options options, long broadcastLimit)
      throws IOException {
    Configuration hadoop = sc.hadoopConfiguration();
    org.apache.hadoop.fs.Path itemsFile = new org.apache.hadoop.fs.Path(itemsPath);
    FileSystem fs = itemsFile.getFileSystem(hadoop);
    if (!fs.isFile(itemsFile)) {
      throw new IOException(itemsPath + ": no such file (the item table)");
    }
    if (!itemsPath.endsWith(".safetensors")) {
      Npy.Layout layout;
      try (FSDataInputStream in = fs.open(itemsFile)) {
        layout = Npy.layout(in, itemsPath);
      }
      long expected = layout.dataOffset() + layout.rows() * layout.rowBytes();
      long size = fs.getFileStatus(itemsFile).getLen();
      if (size != expected) {
        throw new IOException(
            itemsPath
                + ": "
                + size
                + " bytes, its header ("
                + layout.rows()
                + " x "
                + layout.cols()
                + ") needs "
                + expected);
      }
      if (4L * layout.rows() * layout.cols() > broadcastLimit) {
        List<String> ids = readIds(itemsFile, fs, layout.rows());
        return joined(sc, pairsPath, itemsPath, layout, ids, options);
      }
    }
    ItemTable table = readWhole(itemsFile, fs);
    long bytes = 4L * table.matrix().data().length;
    if (bytes > broadcastLimit) {
      throw new IOException(
          itemsPath
              + ": the item table ("
              + (bytes >> 20)
              + " MiB of floats) exceeds the broadcast limit of "
              + (broadcastLimit >> 20)
              + " MiB, and only a .npy table is read by the executors");
    }
    Map<String, Integer> byId = PairsCsv.itemNames(header(sc, pairsPath), table.ids(), pairsPath);
    Broadcast<Map<String, Integer>> names = byId == null ? null : sc.broadcast(byId);
    int rows = table.rows();
    int dim = table.cols();
    Broadcast<float[]> items = sc.broadcast(table.matrix().data());
    JavaRDD<Shard> shards =
        parse(sc, pairsPath, names, rows)
            .repartitionAndSortWithinPartitions(
                new UserPartitioner(options.partitions()), new KeyOrder())
            .mapPartitions(
                it -> {
                  Grouped<int[]> g = Grouped.of(it);
                  return List.of(build(g.ids, g.lines, g.values, items.value(), rows, dim, options))
                      .iterator();
                },
                true)
            .persist(StorageLevel.MEMORY_AND_DISK());
    return checked(
        new SparkPairs(sc, shards, items, dim, rows, names == null ? List.of() : List.of(names)),
        pairsPath);
  }

  /** Pairs over a table the executors read in row ranges: joined once into differences. */
  private static SparkPairs joined(
      JavaSparkContext sc,
      String pairsPath,
      String itemsPath,
      Npy.Layout layout,
      List<String> ids,
      Options options)
      throws IOException {
    Map<String, Integer> byId = PairsCsv.itemNames(header(sc, pairsPath), ids, pairsPath);
    Broadcast<Map<String, Integer>> names = byId == null ? null : sc.broadcast(byId);
    int rows = layout.rows();
    int dim = layout.cols();
    Dtype dtype = layout.dtype();
    long offset = layout.dataOffset();
    int perSlice = (int) Math.max(1, Math.min(rows, (64L << 20) / layout.rowBytes()));
    List<Integer> starts = new ArrayList<>();
    for (int r = 0; r < rows; r += perSlice) {
      starts.add(r);
    }
    JavaPairRDD<Integer, float[]> itemRows =
        sc.parallelize(starts, starts.size())
            .flatMapToPair(
                start -> {
                  Npy.Layout l = new Npy.Layout(dtype, rows, dim, offset);
                  int count = Math.min(perSlice, rows - start);
                  byte[] bytes = new byte[Math.toIntExact(count * l.rowBytes())];
                  org.apache.hadoop.fs.Path f = new org.apache.hadoop.fs.Path(itemsPath);
                  try (FSDataInputStream in = f.getFileSystem(new Configuration()).open(f)) {
                    in.readFully(offset + start * l.rowBytes(), bytes);
                  }
                  float[] v = l.decode(bytes, start, count, itemsPath);
                  List<Tuple2<Integer, float[]>> out = new ArrayList<>(count);
                  for (int i = 0; i < count; i++) {
                    out.add(new Tuple2<>(start + i, Arrays.copyOfRange(v, i * dim, (i + 1) * dim)));
                  }
                  return out.iterator();
                })
            .persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<Key, float[]> differences =
        parse(sc, pairsPath, names, rows)
            .mapToPair(t -> new Tuple2<>(t._2()[0], new Tuple2<>(t._1(), t._2()[1])))
            .join(itemRows)
            .mapToPair(
                t -> new Tuple2<>(t._2()._1()._2(), new Tuple2<>(t._2()._1()._1(), t._2()._2())))
            .join(itemRows)
            .mapToPair(
                t -> {
                  float[] c = t._2()._1()._2();
                  float[] r = t._2()._2();
                  float[] x = new float[dim];
                  for (int j = 0; j < dim; j++) {
                    x[j] = c[j] - r[j];
                  }
                  return new Tuple2<>(t._2()._1()._1(), x);
                });
    JavaRDD<Shard> shards =
        differences
            .repartitionAndSortWithinPartitions(
                new UserPartitioner(options.partitions()), new KeyOrder())
            .mapPartitions(
                it -> List.of(buildDifferences(Grouped.of(it), dim, options)).iterator(), true)
            .persist(StorageLevel.MEMORY_AND_DISK());
    SparkPairs data =
        checked(
            new SparkPairs(sc, shards, null, dim, rows, names == null ? List.of() : List.of(names)),
            pairsPath);
    itemRows.unpersist(false); // the shards hold what they need
    return data;
  }

  /** The first line of a text file, without a byte-order mark; null when empty. */
  private static String header(JavaSparkContext sc, String path) {
    List<String> first = sc.textFile(path).take(1);
    String header = first.isEmpty() ? null : first.getFirst();
    return header != null && header.startsWith("\uFEFF") ? header.substring(1) : header;
  }

  /** The comparisons of a pairs file, keyed by user and line, checked line by line. */
  private static JavaPairRDD<Key, int[]> parse(
      JavaSparkContext sc, String pairsPath, Broadcast<Map<String, Integer>> names, int rows) {
    return sc.textFile(pairsPath)
        .zipWithIndex()
        .flatMapToPair(
            t -> {
              long lineNo = t._2() + 1;
              PairsCsv.Line l =
                  lineNo == 1
                      ? null
                      : PairsCsv.parseLine(
                          t._1(), names == null ? null : names.value(), rows, pairsPath, lineNo);
              return l == null
                  ? List.<Tuple2<Key, int[]>>of().iterator()
                  : List.of(
                          new Tuple2<>(
                              new Key(l.user(), lineNo), new int[] {l.chosen(), l.rejected()}))
                      .iterator();
            });
  }

  private static SparkPairs checked(SparkPairs data, String pairsPath) throws IOException {
    if (data.pairs == 0) {
      data.release();
      throw new IOException(pairsPath + ": no comparisons after the header");
    }
    return data;
  }

  /** The whole item table, with its ids side file, at a local or Hadoop path. */
  private static ItemTable readWhole(org.apache.hadoop.fs.Path file, FileSystem fs)
      throws IOException {
    if (fs instanceof org.apache.hadoop.fs.LocalFileSystem local) {
      return ItemTable.read(local.pathToFile(file).toPath(), null, null);
    }
    Path dir = Files.createTempDirectory("lore-items");
    try {
      Path local = dir.resolve(file.getName());
      fs.copyToLocalFile(file, new org.apache.hadoop.fs.Path(local.toUri()));
      org.apache.hadoop.fs.Path ids = idsFile(file);
      if (fs.exists(ids)) {
        fs.copyToLocalFile(ids, new org.apache.hadoop.fs.Path(ItemTable.idsFileFor(local).toUri()));
      }
      return ItemTable.read(local, null, null);
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The ids side file's lines, or null when the table has none. */
  private static List<String> readIds(org.apache.hadoop.fs.Path table, FileSystem fs, int rows)
      throws IOException {
    org.apache.hadoop.fs.Path ids = idsFile(table);
    if (!fs.exists(ids)) {
      return null;
    }
    Path local = Files.createTempFile("lore-ids", ".txt");
    try {
      fs.copyToLocalFile(ids, new org.apache.hadoop.fs.Path(local.toUri()));
      return ItemTable.readIds(local, rows);
    } catch (IOException e) {
      throw new IOException(e.getMessage().replace(local.toString(), ids.toString()), e);
    } finally {
      Files.deleteIfExists(local);
    }
  }

  private static org.apache.hadoop.fs.Path idsFile(org.apache.hadoop.fs.Path table) {
    String side = ItemTable.idsFileFor(Path.of(table.getName())).getFileName().toString();
    return new org.apache.hadoop.fs.Path(table.getParent(), side);
  }

  /** A partition's rows (sorted by user, then line) grouped by user. */
  private record Grouped<V>(List<String> ids, List<long[]> lines, List<List<V>> values) {
    static <V> Grouped<V> of(Iterator<Tuple2<Key, V>> it) {
      Grouped<V> g = new Grouped<>(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      String current = null;
      List<Long> lines = new ArrayList<>();
      List<V> values = new ArrayList<>();
      while (true) {
        Tuple2<Key, V> t = it.hasNext() ? it.next() : null;
        if (current != null && (t == null || !t._1().user().equals(current))) {
          g.ids.add(current);
          g.lines.add(lines.stream().mapToLong(Long::longValue).toArray());
          g.values.add(values);
          lines = new ArrayList<>();
          values = new ArrayList<>();
        }
        if (t == null) {
          return g;
        }
        current = t._1().user();
        lines.add(t._1().line());
        values.add(t._2());
      }
    }
  }

  /**
   * Users ordered by their first line, each user's pairs cut to the cap by a sample seeded by the
   * user id: the order, the kept pairs of each and how many users the cap cut.
   */
  private record Kept(int[] order, int[][] pairs, int capped) {
    static Kept of(List<String> ids, List<long[]> lines, Options options) {
      int users = ids.size();
      Integer[] order = new Integer[users];
      for (int u = 0; u < users; u++) {
        order[u] = u;
      }
      Arrays.sort(order, Comparator.comparingLong(u -> lines.get(u)[0]));
      int[][] kept = new int[users][];
      int capped = 0;
      for (int i = 0; i < users; i++) {
        int m = lines.get(order[i]).length;
        kept[i] = sample(m, options.maxPairsPerUser(), options.seed(), ids.get(order[i]));
        capped += kept[i].length < m ? 1 : 0;
      }
      return new Kept(Arrays.stream(order).mapToInt(Integer::intValue).toArray(), kept, capped);
    }

    String[] ids(List<String> ids) {
      return Arrays.stream(order).mapToObj(ids::get).toArray(String[]::new);
    }

    long[] firstLines(List<long[]> lines) {
      return Arrays.stream(order).mapToLong(u -> lines.get(u)[0]).toArray();
    }

    int[] pairStart() {
      int[] start = new int[order.length + 1];
      for (int i = 0; i < order.length; i++) {
        start[i + 1] = start[i] + pairs[i].length;
      }
      return start;
    }
  }

  /** The shard of joined differences: kept pairs of users ordered by first line. */
  private static Shard buildDifferences(Grouped<float[]> g, int dim, Options options) {
    Kept kept = Kept.of(g.ids, g.lines, options);
    int[] pairStart = kept.pairStart();
    float[] x = new float[Math.multiplyExact(pairStart[pairStart.length - 1], dim)];
    for (int i = 0; i < kept.order.length; i++) {
      List<float[]> rows = g.values.get(kept.order[i]);
      for (int j = 0; j < kept.pairs[i].length; j++) {
        System.arraycopy(rows.get(kept.pairs[i][j]), 0, x, (pairStart[i] + j) * dim, dim);
      }
    }
    return new Shard(
        kept.ids(g.ids), kept.firstLines(g.lines), pairStart, dim, null, null, x, kept.capped);
  }

  /**
   * A shard of users (each with its lines in input order and its pairs' item rows): the kept pairs
   * of users ordered by first line, as item rows over the broadcast table or as differences, as the
   * layout option (or, for AUTO, the bytes read per pass) says.
   */
  static Shard build(
      List<String> ids,
      List<long[]> lines,
      List<List<int[]>> pairItems,
      float[] items,
      int rows,
      int dim,
      Options options) {
    Kept kept = Kept.of(ids, lines, options);
    int[] pairStart = kept.pairStart();
    int pairs = pairStart[pairStart.length - 1];
    int[] chosen = new int[pairs];
    int[] rejected = new int[pairs];
    for (int i = 0; i < kept.order.length; i++) {
      List<int[]> it = pairItems.get(kept.order[i]);
      for (int j = 0; j < kept.pairs[i].length; j++) {
        int[] pair = it.get(kept.pairs[i][j]);
        chosen[pairStart[i] + j] = pair[0];
        rejected[pairStart[i] + j] = pair[1];
      }
    }
    String[] outIds = kept.ids(ids);
    long[] firstLines = kept.firstLines(lines);
    int referenced = PairLayout.Items.referenced(rows, chosen, rejected);
    if (UserBlock.chooseLayout(options.layout(), pairs, referenced, dim, 4)
        != TrainConfig.Layout.DIFFERENCES) {
      return new Shard(outIds, firstLines, pairStart, dim, chosen, rejected, null, kept.capped);
    }
    float[] x = new float[Math.multiplyExact(pairs, dim)];
    for (int p = 0; p < pairs; p++) { // exactly c - r, as the single-machine layout
      System.arraycopy(items, chosen[p] * dim, x, p * dim, dim);
      KernelProvider.get().axpy(-1f, items, rejected[p] * dim, x, p * dim, dim);
    }
    return new Shard(outIds, firstLines, pairStart, dim, null, null, x, kept.capped);
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
   * A planted LoRe model and how much data to draw from it (see {@link #generate}).
   *
   * @param users users, ids {@code u0, u1, ...}
   * @param pairsPerUser pairs of distinct items per user
   * @param dim the items' dimension d
   * @param items the shared table's items, standard normal, at least 2
   * @param rank the planted basis's rank
   * @param seed seed of the items, the basis and every user's draws
   */
  public record Planted(long users, int pairsPerUser, int dim, int items, int rank, long seed)
      implements Serializable {
    /** Validates. */
    public Planted {
      if (users < 1 || pairsPerUser < 1 || items < 2 || rank < 1 || dim < 1) {
        throw new IllegalArgumentException(
            "need users, pairs per user, rank, dim >= 1 and at least 2 items, got " + this);
      }
    }
  }

  /**
   * Pairs generated inside the executors from a {@link Planted} LoRe model, for scale runs: every
   * user's pairs drawn uniformly from the shared item table, labelled by the Bradley-Terry model of
   * the planted basis (standard normal, divided by sqrt(d)) and Dirichlet(1) weights per user. User
   * u lives in partition {@code u mod partitions}; no shuffle. The driver makes the items and the
   * basis; all else is drawn from generators seeded by the seed and the user.
   */
  public static SparkPairs generate(JavaSparkContext sc, Planted spec, Options options) {
    int dim = spec.dim();
    int itemCount = spec.items();
    int rank = spec.rank();
    SplittableRandom rnd = new SplittableRandom(spec.seed());
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
            .map(p -> generated(p, parts, spec, items.value(), basis.value(), options))
            .persist(StorageLevel.MEMORY_AND_DISK());
    return new SparkPairs(sc, shards, items, dim, itemCount, List.of(basis));
  }

  private static Shard generated(
      int part, int parts, Planted spec, float[] items, float[] planted, Options options) {
    long users = spec.users();
    int pairsPerUser = spec.pairsPerUser();
    int dim = spec.dim();
    int itemCount = spec.items();
    int rank = spec.rank();
    long seed = spec.seed();
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
    List<List<int[]>> userItems = new ArrayList<>();
    double[] w = new double[rank];
    for (long u = part; u < users; u += parts) {
      SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (u + 1)));
      double sum = 0;
      for (int b = 0; b < rank; b++) {
        w[b] = -Math.log(1 - rnd.nextDouble()); // Dirichlet(1) by normalized exponentials
        sum += w[b];
      }
      long[] lines = new long[pairsPerUser];
      List<int[]> pairItems = new ArrayList<>(pairsPerUser);
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
        pairItems.add(aWins ? new int[] {a, c} : new int[] {c, a});
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
