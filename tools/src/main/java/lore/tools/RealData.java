package lore.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import lore.datasets.ItemTable;
import lore.datasets.ItemTexts;
import lore.datasets.Jester5k;
import lore.datasets.MovieLens;
import lore.datasets.Npy;
import lore.datasets.Protocol;
import lore.datasets.Ratings;
import lore.datasets.RatingsToPairs;
import lore.datasets.TextEmbeddings;
import lore.datasets.UserPairs;
import lore.datasets.Zappos5;

/** The real data sets of {@code lore demo}, turned into the seen/unseen protocol's four sets. */
final class RealData {
  private RealData() {}

  /** The demo's data sets. */
  enum Dataset {
    JESTER,
    MOVIELENS,
    ZAPPOS,
    SYNTHETIC
  }

  /** A loaded data set with its description for the report. */
  record Loaded(String title, String items, Protocol.Splits splits) {}

  static Loaded load(
      Dataset ds, Path dataDir, Protocol protocol, RatingsToPairs rules, int threads,
      PrintWriter err) throws IOException {
    return switch (ds) {
      case JESTER -> jester(dataDir, protocol, rules);
      case MOVIELENS -> movieLens(dataDir, protocol, rules, threads, err);
      case ZAPPOS -> zappos(dataDir, protocol);
      case SYNTHETIC -> throw new IllegalStateException("synthetic data is not loaded here");
    };
  }

  private static Loaded jester(Path dataDir, Protocol protocol, RatingsToPairs rules)
      throws IOException {
    ItemTable items = Jester5k.embeddings();
    Map<String, Integer> index = items.index();
    Ratings ratings =
        dataDir == null ? Jester5k.ratings(index) : Jester5k.ratings(dataDir, index);
    return new Loaded(
        "Jester5k (" + ratings.userCount() + " users, " + ratings.size() + " ratings of 100 jokes)",
        "joke texts embedded by all-MiniLM-L6-v2 (" + items.rows() + " x " + items.cols() + ")",
        protocol.fromRatings(ratings, rules, items.matrix().data(), items.rows(), items.cols()));
  }

  private static Loaded zappos(Path dataDir, Protocol protocol) throws IOException {
    ItemTable items = Zappos5.items();
    List<UserPairs> users =
        dataDir == null
            ? Zappos5.comparisons()
            : Zappos5.comparisons(dataDir.resolve("zappos_6000.csv"));
    return new Loaded(
        "Zappos5 (" + users.size() + " workers x 10 comparisons of 5 shoes)",
        "one-hot shoes (5 x 5)",
        protocol.fromComparisons(users, items.matrix().data(), items.rows(), items.cols()));
  }

  private static Loaded movieLens(
      Path dataDir, Protocol protocol, RatingsToPairs rules, int threads, PrintWriter err)
      throws IOException {
    if (dataDir == null) {
      throw new IllegalArgumentException(
          "--dataset movielens needs --data-dir DIR with movies.csv and ratings.csv"
              + " (ml-latest-small; not bundled)");
    }
    ItemTexts movies = MovieLens.movies(dataDir);
    Path cache =
        Files.isWritable(dataDir)
            ? dataDir.resolve(".lore-cache")
            : Path.of(System.getProperty("user.home"), ".cache", "lore");
    err.printf(
        Locale.ROOT,
        "lore demo: embedding %d movie titles + genres (cache %s)%n",
        movies.texts().size(),
        cache);
    err.flush();
    float[] v;
    try (ExecutorService pool = Pools.fixed(threads, "lore-embed")) {
      MiniLmEmbedder model = new MiniLmEmbedder(pool);
      v =
          TextEmbeddings.embed(
              model, movies.texts(), cache, 64,
              new DataProgress(err, "MovieLens", Progress.interactive()));
    }
    ItemTable items = new ItemTable(new Npy.Matrix(v, movies.ids().size(), 384), movies.ids());
    Ratings ratings = MovieLens.ratings(dataDir, items.index());
    return new Loaded(
        "MovieLens ml-latest-small (" + ratings.userCount() + " users, " + ratings.size()
            + " ratings)",
        "titles + genres embedded by all-MiniLM-L6-v2 (" + items.rows() + " x 384)",
        protocol.fromRatings(ratings, rules, items.matrix().data(), items.rows(), items.cols()));
  }
}
