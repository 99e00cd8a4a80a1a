package lore.experiment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import lore.PreferenceData;
import lore.datasets.ItemTable;
import lore.datasets.ItemTexts;
import lore.datasets.Jester5k;
import lore.datasets.MovieLens;
import lore.datasets.Npy;
import lore.datasets.PersonalLlm;
import lore.datasets.ProgressListener;
import lore.datasets.Ratings;
import lore.datasets.RatingsToPairs;
import lore.datasets.SyntheticConfig;
import lore.datasets.TextEmbeddings;

/**
 * The datasets of {@code demo}, {@code experiment} and {@code convert}, by one set of names, each
 * as an {@link ExperimentDataset} that draws seeded seen/unseen splits (the one splitter of the
 * project). Beside the method catalog ({@link MethodCatalog}).
 */
public final class DatasetCatalog {
  /** The names, as every command spells them. */
  public static final List<String> NAMES =
      List.of("synthetic", "personalllm", "jester5k", "zappos5", "movielens", "ratings", "pairs");

  private DatasetCatalog() {}

  /** The synthetic PersonalLLM-protocol generator: a new generator seed per split. */
  public static ExperimentDataset synthetic(SyntheticConfig config) {
    return new SyntheticDataset(config);
  }

  /**
   * The real PersonalLLM benchmark exported in the reference layout under {@code dataDir}: a new
   * Dirichlet population of users per split.
   *
   * @param trainPairs train prompts per seen user; 0 for the reference's {@code int(0.005 M)}
   */
  public static ExperimentDataset personalLlm(
      Path dataDir, double alpha, int seen, int unseen, int trainPairs) throws IOException {
    return new PersonalLlmDataset(PersonalLlm.readTable(dataDir), alpha, seen, unseen, trainPairs);
  }

  /**
   * Bundled Jester5k: within-user pairs from rating gaps over MiniLM joke embeddings, split item-
   * disjoint ({@code dataDir} null: the bundled ratings).
   */
  public static ExperimentDataset jester5k(
      Path dataDir,
      RatingsToPairs rules,
      double unseenFraction,
      double testFraction,
      int trainPairs)
      throws IOException {
    ItemTable table = Jester5k.embeddings();
    Ratings ratings =
        dataDir == null
            ? Jester5k.ratings(table.index())
            : Jester5k.ratings(dataDir, table.index());
    String name =
        String.format(
            Locale.ROOT,
            "jester5k (%s embeddings, pairs with rating gap >= %s, <= %d per user)",
            Jester5k.EMBEDDING_MODEL,
            rules.minGap(),
            rules.maxPairsPerUser());
    return new ItemSplitDataset(
            rules.preferences(ratings, table), name, null, unseenFraction, testFraction, trainPairs)
        .withItemIds(table.ids());
  }

  /**
   * Bundled Zappos5 (or {@code dataDir/zappos_6000.csv}): 10 comparisons of 5 one-hot shoes per
   * worker, split by comparison (5 items are too few for item-disjoint splits).
   *
   * @throws IllegalArgumentException if some worker would get fewer than {@code fewShot} few-shot
   *     comparisons
   */
  public static ExperimentDataset zappos5(
      Path dataDir, double unseenFraction, double testFraction, int trainPairs, int fewShot)
      throws IOException {
    PairSplitDataset z =
        new PairSplitDataset(
                PairSplitDataset.zappos5(dataDir),
                "zappos5 ("
                    + (dataDir == null ? "bundled" : dataDir.toString())
                    + ", one-hot shoes)",
                unseenFraction,
                testFraction,
                trainPairs)
            .withItemIds(lore.datasets.Zappos5.items().ids());
    int avail = z.fewShotGuaranteed();
    if (fewShot > avail) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "--few-shot %d: each zappos5 user has only %d non-test comparisons at"
                  + " --test-fraction %s; use --few-shot %d or less (or a smaller"
                  + " --test-fraction)",
              fewShot,
              avail,
              testFraction,
              avail));
    }
    return z;
  }

  /**
   * MovieLens ml-latest-small under {@code dataDir} ({@code movies.csv}, {@code ratings.csv}):
   * titles and genres embedded by MiniLM on first use (cached beside the data, or in {@code
   * ~/.cache/lore} when that is read-only), within-user pairs from rating gaps, item-disjoint
   * splits.
   */
  public static ExperimentDataset movieLens(
      Path dataDir,
      RatingsToPairs rules,
      double unseenFraction,
      double testFraction,
      int trainPairs,
      int threads,
      ProgressListener progress,
      PrintWriter log)
      throws IOException {
    ItemTable items = embedded(MovieLens.movies(dataDir), dataDir, threads, progress, log);
    Ratings ratings = MovieLens.ratings(dataDir, items.index());
    String name =
        String.format(
            Locale.ROOT,
            "movielens (%s, titles + genres by all-MiniLM-L6-v2, pairs with rating gap >= %s,"
                + " <= %d per user)",
            dataDir.getFileName(),
            rules.minGap(),
            rules.maxPairsPerUser());
    return new ItemSplitDataset(
            rules.preferences(ratings, items), name, null, unseenFraction, testFraction, trainPairs)
        .withItemIds(items.ids());
  }

  /**
   * Item texts embedded by all-MiniLM-L6-v2, cached by content hash in {@code near/.lore-cache} (or
   * {@code ~/.cache/lore} when {@code near} is read-only), so a second run only reads the cache.
   *
   * @param near the directory of the texts
   * @param threads threads of the model
   */
  public static ItemTable embedded(
      ItemTexts texts, Path near, int threads, ProgressListener progress, PrintWriter log)
      throws IOException {
    Path cache =
        Files.isWritable(near)
            ? near.resolve(".lore-cache")
            : Path.of(System.getProperty("user.home"), ".cache", "lore");
    log.printf(
        Locale.ROOT,
        "embedding %d item texts with all-MiniLM-L6-v2 (cache %s)%n",
        texts.texts().size(),
        cache);
    log.flush();
    float[] v;
    try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads))) {
      v = TextEmbeddings.embed(new MiniLmEmbedder(pool), texts.texts(), cache, 64, progress);
    }
    return new ItemTable(new Npy.Matrix(v, texts.ids().size(), 384), texts.ids());
  }

  /**
   * The user's own ratings over an item table: within-user pairs by {@code rules} (a pair per two
   * items the user rated at least {@code rules.minGap()} apart, ties dropped, at most {@code
   * rules.maxPairsPerUser()} per user, sampled with its seed), then item-disjoint splits, or split
   * by comparison with {@code byPair}.
   *
   * @param table the items, with the ids the ratings name
   * @param ratings a ratings CSV/TSV (see {@link Ratings#read(Path, java.util.Map)})
   */
  public static ExperimentDataset ratings(
      ItemTable table,
      Path ratings,
      RatingsToPairs rules,
      boolean byPair,
      double unseenFraction,
      double testFraction,
      int trainPairs)
      throws IOException {
    Ratings r = Ratings.read(ratings, table.index());
    PreferenceData all = rules.preferences(r, table);
    if (all.pairCount() == 0) {
      throw new IllegalArgumentException(
          ratings
              + ": no pairs: no user rated two items at least "
              + rules.minGap()
              + " apart (ties are dropped)");
    }
    String name =
        String.format(
            Locale.ROOT,
            "%s (%d ratings of %d users, pairs with rating gap >= %s, <= %d per user)",
            ratings.getFileName(),
            r.size(),
            r.userCount(),
            rules.minGap(),
            rules.maxPairsPerUser());
    return pairs(all, name, byPair, unseenFraction, testFraction, trainPairs, table.ids());
  }

  /**
   * The user's own pairs over an item table: item-disjoint splits, or split by comparison with
   * {@code byPair}.
   *
   * @param itemIds ids of the table's rows, or null
   */
  public static ExperimentDataset pairs(
      PreferenceData all,
      String name,
      boolean byPair,
      double unseenFraction,
      double testFraction,
      int trainPairs,
      List<String> itemIds) {
    return byPair
        ? new PairSplitDataset(all, name, unseenFraction, testFraction, trainPairs)
            .withItemIds(itemIds)
        : new ItemSplitDataset(all, name, null, unseenFraction, testFraction, trainPairs)
            .withItemIds(itemIds);
  }
}
