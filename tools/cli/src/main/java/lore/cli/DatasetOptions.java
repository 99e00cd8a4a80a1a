package lore.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import lore.PreferenceData;
import lore.datasets.ItemTable;
import lore.datasets.ItemTexts;
import lore.datasets.RatingsToPairs;
import lore.datasets.SyntheticConfig;
import lore.experiment.DatasetCatalog;
import lore.experiment.ExperimentDataset;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The datasets of {@code demo}, {@code experiment} and {@code convert}: one name and one default
 * per option in every command (see {@link DatasetCatalog}).
 */
final class DatasetOptions {
  @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
  CommandLine.Model.CommandSpec mixee;

  @Option(
      names = "--dataset",
      defaultValue = "jester5k",
      paramLabel = "NAME",
      description =
          "jester5k (bundled ratings of jokes, MiniLM embeddings), zappos5 (bundled comparisons of"
              + " 5 one-hot shoes, split by comparison), movielens (--data-dir), personalllm"
              + " (--data-dir: the real benchmark, a new user population per split), synthetic"
              + " (the paper's semi-synthetic protocol, a new generator seed per split), ratings"
              + " (--items, --ratings: your ratings, made into within-user pairs) or pairs (--items,"
              + " --pairs) (default: ${DEFAULT-VALUE}).")
  String dataset;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "movielens: movies.csv and ratings.csv; personalllm: {train,test}.safetensors and"
              + " {train,test}.{parquet,csv,tsv}; jester5k, zappos5: read jester5k_ratings.csv or"
              + " zappos_6000.csv from DIR instead of the bundled copy.")
  Path dataDir;

  @Option(
      names = "--items",
      paramLabel = "FILE",
      description =
          "ratings, pairs: the items: a table of vectors (.npy or .safetensors, with ids in the"
              + " .ids.txt file beside it, as lore embed writes), or item texts (.csv, .tsv, .jsonl"
              + " with an id column and a text column) embedded by all-MiniLM-L6-v2 on"
              + " first use and cached beside them.")
  Path items;

  @Option(
      names = "--ratings",
      paramLabel = "FILE",
      description =
          "ratings: a CSV (or .tsv) with header user,item,score (also user_id, item_id, rating)"
              + " over the ids of --items.")
  Path ratings;

  @Option(
      names = "--pairs",
      paramLabel = "FILE",
      description = "pairs: a pairs CSV over --items (by item id or row, as its header says).")
  Path pairs;

  @Option(
      names = "--split",
      paramLabel = "KIND",
      description =
          "ratings, pairs: items (item-disjoint: test items never seen in training; the default)"
              + " or pairs"
              + " (each user's comparisons split at random; zappos5 is always split so).")
  String split;

  @Option(
      names = "--alpha",
      split = ",",
      defaultValue = "0.01",
      paramLabel = "ALPHA",
      description =
          "synthetic, personalllm: Dirichlet concentration of the users' weights; demo takes a"
              + " comma list, e.g. 0.1,0.01,0.001 (default: ${DEFAULT-VALUE}).")
  List<Double> alphas;

  @Option(
      names = "--dim",
      defaultValue = "4096",
      paramLabel = "D",
      description = "synthetic: embedding dimension (default: ${DEFAULT-VALUE}, the paper's).")
  int dim;

  @Option(
      names = "--seen",
      defaultValue = "1000",
      paramLabel = "N",
      description = "synthetic, personalllm: seen users (default: ${DEFAULT-VALUE}).")
  int seen;

  @Option(
      names = "--unseen",
      defaultValue = "1000",
      paramLabel = "N",
      description =
          "synthetic, personalllm: unseen users (default: ${DEFAULT-VALUE}; the PersonalLLM"
              + " reference code uses 500).")
  int unseen;

  @Option(
      names = "--train-pairs",
      defaultValue = "47",
      paramLabel = "N",
      description =
          "synthetic: train pairs per seen user; personalllm: train prompts per seen user (when"
              + " not given: the reference's int(0.005 M) of M train prompts); other datasets: cap"
              + " per seen user, 0 = all (default: ${DEFAULT-VALUE}).")
  int trainPairs;

  @Option(
      names = "--train-prompts",
      defaultValue = "9402",
      paramLabel = "N",
      description = "synthetic: train prompts (default: ${DEFAULT-VALUE}).")
  int trainPrompts;

  @Option(
      names = "--test-prompts",
      defaultValue = "1000",
      paramLabel = "N",
      description = "synthetic: test prompts (default: ${DEFAULT-VALUE}).")
  int testPrompts;

  @Option(
      names = "--unseen-fraction",
      defaultValue = "0.5",
      paramLabel = "F",
      description =
          "jester5k, zappos5, movielens, ratings, pairs: fraction of users that are unseen"
              + " (default: ${DEFAULT-VALUE}).")
  double unseenFraction;

  @Option(
      names = "--test-fraction",
      defaultValue = "0.2",
      paramLabel = "F",
      description =
          "jester5k, movielens, ratings, pairs: fraction of items that are test-only; zappos5 and"
              + " --split"
              + " pairs: fraction of each user's comparisons (default: ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(
      names = "--min-gap",
      defaultValue = "0",
      paramLabel = "G",
      description =
          "Ratings (jester5k, movielens, ratings): smallest rating difference that makes a pair; ties are"
              + " always dropped (default: ${DEFAULT-VALUE}).")
  double minGap;

  @Option(
      names = "--user-pairs",
      defaultValue = "500",
      paramLabel = "N",
      description =
          "Ratings: pairs drawn per user from the ratings before splitting"
              + " (default: ${DEFAULT-VALUE}).")
  int userPairs;

  @Option(
      names = "--few-shot",
      defaultValue = "9",
      paramLabel = "K",
      description = "Few-shot pairs per unseen user (default: ${DEFAULT-VALUE}).")
  int fewShot;

  @Option(
      names = "--seed",
      defaultValue = "1",
      paramLabel = "SEED",
      description = "Seed of the data, the splits and the methods (default: ${DEFAULT-VALUE}).")
  long seed;

  /** The one alpha of a command that takes one. */
  double alpha() {
    if (alphas.size() != 1) {
      throw new IllegalArgumentException("--alpha takes one value here, got " + alphas);
    }
    return alphas.getFirst();
  }

  /** The dataset's name, lower case. */
  String name() {
    String ds = dataset.strip().toLowerCase(Locale.ROOT);
    if (!DatasetCatalog.NAMES.contains(ds)) {
      throw new IllegalArgumentException(
          "unknown --dataset '"
              + dataset
              + "'; available: "
              + String.join(", ", DatasetCatalog.NAMES));
    }
    return ds;
  }

  /** The synthetic generator's configuration at {@code alpha}. */
  SyntheticConfig synthetic(double alpha) {
    if (!(alpha > 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("--alpha must be positive and finite, got " + alpha);
    }
    return SyntheticConfig.paperScale(alpha)
        .withDim(dim)
        .withTrainPrompts(trainPrompts)
        .withTestPrompts(testPrompts)
        .withSeenUsers(seen)
        .withUnseenUsers(unseen)
        .withTrainPairs(trainPairs)
        .withFewShotPairs(Math.min(fewShot, trainPrompts));
  }

  /**
   * Opens the dataset (at {@code alpha} for synthetic and personalllm), after checking that the
   * options given apply to it.
   *
   * @param threads threads of the text embedder (movielens)
   */
  ExperimentDataset open(double alpha, int threads, PrintWriter err) throws IOException {
    String ds = name();
    Boolean byPair = splitByPair();
    boolean own = ds.equals("pairs") || ds.equals("ratings");
    if (byPair != null && !own && !(ds.equals("zappos5") && byPair)) {
      throw new IllegalArgumentException(
          ds.equals("zappos5")
              ? "--dataset zappos5 has only 5 items, too few for item-disjoint splits: use"
                  + " --split pairs (the default for zappos5)"
              : "--split applies to --dataset ratings and pairs (and zappos5), not '"
                  + dataset
                  + "'");
    }
    if (items != null && !own) {
      throw new IllegalArgumentException("--items needs --dataset ratings or pairs");
    }
    if (pairs != null && !ds.equals("pairs")) {
      throw new IllegalArgumentException("--pairs needs --dataset pairs");
    }
    if (ratings != null && !ds.equals("ratings")) {
      throw new IllegalArgumentException("--ratings needs --dataset ratings");
    }
    if (dataDir != null
        && !List.of("personalllm", "movielens", "jester5k", "zappos5").contains(ds)) {
      throw new IllegalArgumentException("--data-dir does not apply to --dataset " + ds);
    }
    RatingsToPairs rules = new RatingsToPairs(minGap, userPairs, seed);
    return switch (ds) {
      case "synthetic" -> DatasetCatalog.synthetic(synthetic(alpha));
      case "personalllm" -> {
        requireDataDir(ds, "{train,test}.safetensors and {train,test}.{parquet,csv,tsv}");
        boolean given = mixee.commandLine().getParseResult().hasMatchedOption("--train-pairs");
        yield DatasetCatalog.personalLlm(dataDir, alpha, seen, unseen, given ? trainPairs : 0);
      }
      case "jester5k" ->
          DatasetCatalog.jester5k(dataDir, rules, unseenFraction, testFraction, trainPairs);
      case "zappos5" ->
          DatasetCatalog.zappos5(dataDir, unseenFraction, testFraction, trainPairs, fewShot);
      case "movielens" -> {
        requireDataDir(ds, "movies.csv and ratings.csv (ml-latest-small; not bundled)");
        yield DatasetCatalog.movieLens(
            dataDir,
            rules,
            unseenFraction,
            testFraction,
            trainPairs,
            threads,
            new Progress(err, "MovieLens", Progress.interactive()),
            err);
      }
      case "ratings" -> {
        if (items == null || ratings == null) {
          throw new IllegalArgumentException("--dataset ratings needs --items and --ratings");
        }
        yield DatasetCatalog.ratings(
            itemTable(threads, err, true),
            Inputs.requireFile(ratings, "ratings"),
            rules,
            Boolean.TRUE.equals(byPair),
            unseenFraction,
            testFraction,
            trainPairs);
      }
      case "pairs" -> {
        if (items == null || pairs == null) {
          throw new IllegalArgumentException("--dataset pairs needs --items and --pairs");
        }
        lore.datasets.ItemTable table = itemTable(threads, err, false);
        PreferenceData all = Inputs.pairs(pairs, table);
        yield DatasetCatalog.pairs(
            all,
            pairs.getFileName().toString(),
            Boolean.TRUE.equals(byPair),
            unseenFraction,
            testFraction,
            trainPairs,
            table.ids());
      }
      default -> throw new IllegalStateException(ds);
    };
  }

  /**
   * {@code --items}: a table of vectors, or texts to embed (by the file's extension).
   *
   * @param byId whether the other input names items by id only (ratings), so that a table must have
   *     its ids file: row numbers would pair the ratings with the wrong items
   */
  private ItemTable itemTable(int threads, PrintWriter err, boolean byId) throws IOException {
    String n = items.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".npy") || n.endsWith(".safetensors")) {
      Path ids = ItemTable.idsFileFor(items);
      if (byId && Files.exists(items) && !Files.exists(ids)) {
        throw new IllegalArgumentException(
            "--items "
                + items
                + " has no ids file "
                + ids.getFileName()
                + " beside it: the ratings name items by id, so the table needs one id per row"
                + " (lore embed writes it)");
      }
      return Inputs.items(items);
    }
    if (List.of(".csv", ".tsv", ".jsonl", ".txt").stream().anyMatch(n::endsWith)) {
      Inputs.requireFile(items, "items");
      return DatasetCatalog.embedded(
          ItemTexts.readIdentified(items),
          items.toAbsolutePath().getParent(),
          threads,
          new Progress(err, "items", Progress.interactive()),
          err);
    }
    throw new IllegalArgumentException(
        "--items "
            + items
            + ": expected an item table (.npy, .safetensors) or item texts with ids (.csv,"
            + " .tsv, .jsonl)");
  }

  private void requireDataDir(String ds, String what) {
    if (dataDir == null) {
      throw new IllegalArgumentException("--dataset " + ds + " needs --data-dir DIR with " + what);
    }
  }

  /** {@code --split}: true for pairs, false for items; {@code null} when not given. */
  private Boolean splitByPair() {
    if (split == null) {
      return null;
    }
    return switch (split.strip().toLowerCase(Locale.ROOT)) {
      case "pairs" -> true;
      case "items" -> false;
      default ->
          throw new IllegalArgumentException(
              "unknown --split '" + split + "'; available: items, pairs");
    };
  }
}
