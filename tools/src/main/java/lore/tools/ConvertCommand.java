package lore.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.PreferenceData;
import lore.datasets.Comparisons;
import lore.datasets.ItemTable;
import lore.datasets.Jester5k;
import lore.datasets.MovieLens;
import lore.datasets.Npy;
import lore.datasets.PersonalLlm;
import lore.datasets.PreferenceSplits;
import lore.datasets.Prism;
import lore.datasets.Protocol;
import lore.datasets.Ratings;
import lore.datasets.RatingsToPairs;
import lore.datasets.RedditTldr;
import lore.datasets.TextEmbeddings;
import lore.datasets.Zappos5;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore convert}: any supported layout to the canonical one, {@code items.npy} (float32) +
 * {@code items.ids.txt} + one pairs CSV per split ({@code user,chosen,rejected}), which {@code
 * train}, {@code fit-user} and {@code score} read. Texts are embedded with all-MiniLM-L6-v2
 * through the content-hash cache, or, with {@code --embedder none}, looked up in a precomputed
 * table whose ids are the texts' SHA-256.
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Convert a data set to items.npy + items.ids.txt + <split>.csv (user,chosen,rejected) per"
          + " split in --out.",
      "Layouts: jester, zappos (bundled, or --in DIR), movielens (--in DIR), comparisons (--in"
          + " CSV/TSV/JSONL), personalllm (--in DIR with {train,test}.safetensors and"
          + " {train,test}.{parquet,csv}), tldr (--in JSONL), prism (--in JSONL), npy / safetensors"
          + " (--in table: items only).",
      "Ratings, zappos and comparisons without a split column are split by the seen/unseen"
          + " protocol into train, fewshot, test-seen, test-unseen."
    })
final class ConvertCommand implements Callable<Integer> {
  /** The input layouts. */
  enum Layout {
    JESTER,
    ZAPPOS,
    MOVIELENS,
    COMPARISONS,
    PERSONALLLM,
    TLDR,
    PRISM,
    NPY,
    SAFETENSORS
  }

  /** How texts become vectors. */
  enum Embedder {
    MINILM,
    NONE
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--layout", required = true, paramLabel = "NAME", description = "Input layout.")
  Layout layout;

  @Option(names = "--in", paramLabel = "PATH", description = "Input file or directory.")
  Path in;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(
      names = "--items",
      paramLabel = "FILE",
      description =
          "Item table (.npy/.safetensors + .ids.txt) that comparisons' item ids refer to; with"
              + " --embedder none, the precomputed vectors of texts (ids = SHA-256 of the text).")
  Path items;

  @Option(names = "--ids", paramLabel = "FILE", description = "Ids file of --items or --in table.")
  Path ids;

  @Option(names = "--tensor", paramLabel = "NAME", description = "Safetensors tensor name.")
  String tensor;

  @Option(
      names = "--text",
      description = "Comparisons: chosen/rejected are inline texts (default without --items).")
  boolean text;

  @Option(
      names = "--prompt-in-text",
      description = "Embed 'prompt\\n\\nresponse' instead of the response alone.")
  boolean promptInText;

  @Option(
      names = "--embedder",
      defaultValue = "minilm",
      paramLabel = "NAME",
      description = "minilm or none (texts need a precomputed --items) (default: ${DEFAULT-VALUE}).")
  Embedder embedder;

  @Option(names = "--cache", paramLabel = "DIR", description = "Embedding cache (default: OUT/.lore-cache).")
  Path cache;

  @Option(names = "--batch", defaultValue = "64", paramLabel = "N", description = "Texts per model call.")
  int batch;

  @Option(names = "--threads", paramLabel = "N", description = "Threads of the embedding model.")
  Integer threads;

  @Option(names = "--user-column", paramLabel = "NAME", description = "Default: user.")
  String userColumn;

  @Option(names = "--chosen-column", paramLabel = "NAME", description = "Default: chosen.")
  String chosenColumn;

  @Option(names = "--rejected-column", paramLabel = "NAME", description = "Default: rejected.")
  String rejectedColumn;

  @Option(names = "--split-column", paramLabel = "NAME", description = "Default: split (optional).")
  String splitColumn;

  @Option(names = "--prompt-column", paramLabel = "NAME", description = "Default: prompt (optional).")
  String promptColumn;

  @Option(
      names = "--protocol",
      description = "Comparisons: split by the seen/unseen protocol even if the file has splits.")
  boolean protocol;

  @Option(names = "--unseen-fraction", defaultValue = "0.2", paramLabel = "F",
      description = "Protocol: share of unseen users (default: ${DEFAULT-VALUE}).")
  double unseenFraction;

  @Option(names = "--test-fraction", defaultValue = "0.5", paramLabel = "F",
      description = "Protocol: share of each user's items or pairs for test (default: ${DEFAULT-VALUE}).")
  double testFraction;

  @Option(names = "--few-shot", paramLabel = "K",
      description = "Few-shot pairs per unseen user (protocol: 9; personalllm: int(0.001 M); tldr: 50).")
  Integer fewShot;

  @Option(names = "--min-gap", defaultValue = "1.0", paramLabel = "G",
      description = "Ratings: minimum score gap of a pair (default: ${DEFAULT-VALUE}).")
  double minGap;

  @Option(names = "--max-pairs", defaultValue = "100", paramLabel = "N",
      description = "Ratings: pairs per user cap (default: ${DEFAULT-VALUE}).")
  int maxPairs;

  @Option(names = "--seed", paramLabel = "SEED",
      description = "Seed of splits and simulated users (default: 42; tldr 0; prism 123).")
  Long seed;

  @Option(names = "--alpha", defaultValue = "0.1", paramLabel = "A",
      description = "PersonalLLM: Dirichlet alpha of simulated users (default: ${DEFAULT-VALUE}).")
  double alpha;

  @Option(names = "--seen", defaultValue = "1000", paramLabel = "N",
      description = "PersonalLLM: seen users (default: ${DEFAULT-VALUE}).")
  int seen;

  @Option(names = "--unseen", defaultValue = "500", paramLabel = "N",
      description = "PersonalLLM: unseen users (default: ${DEFAULT-VALUE}).")
  int unseen;

  @Option(names = "--train-pairs", paramLabel = "N",
      description = "Train pairs per seen user (personalllm: int(0.005 M); tldr: 150).")
  Integer trainPairs;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
    }
    if (in != null && !Files.exists(in)) {
      throw new IllegalArgumentException("input not found: " + in);
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out must be a directory: " + out);
    }
    long start = System.nanoTime();
    say(err, "reading " + layout.name().toLowerCase(Locale.ROOT) + (in == null ? "" : " " + in));
    if (layout == Layout.NPY || layout == Layout.SAFETENSORS) {
      requireIn("an item table");
      ItemTable t = table(in); // a table alone: no comparisons, only the canonical table
      Path f = out.resolve("items.npy");
      requireNoInput(List.of(f, ItemTable.idsFileFor(f)));
      Files.createDirectories(out);
      t.write(f, ItemTable.idsFileFor(f));
      o.printf(Locale.ROOT, "converted %d items x %d to %s and %s%n", t.rows(), t.cols(), f,
          ItemTable.idsFileFor(f));
      o.flush();
      return 0;
    }
    PreferenceSplits s = load(err);
    double read = (System.nanoTime() - start) / 1e9;
    requireNoInput(s.files(out));
    List<Path> files = s.write(out, new DataProgress(err, "convert", Progress.interactive()));
    for (Map.Entry<String, PreferenceData> e : s.splits().entrySet()) {
      o.printf(
          Locale.ROOT, "%-12s %8d pairs  %6d users%n", e.getKey(), e.getValue().pairCount(),
          e.getValue().userCount());
    }
    o.printf(
        Locale.ROOT,
        "converted %d items x %d, %d users, %d pairs in %s; wrote %d files to %s%n",
        s.items().rows(), s.items().cols(), s.users().size(), s.pairCount(),
        Progress.seconds((System.nanoTime() - start) / 1e9), files.size(), out);
    o.flush();
    if (read > 5) {
      say(err, "read and embedded in " + Progress.seconds(read));
    }
    return 0;
  }

  /**
   * An output never replaces an input, checked before anything is written: no output is {@code
   * --in}, {@code --items} or {@code --ids}, nor a file that already exists in an {@code --in}
   * directory (all of which may be read).
   */
  private void requireNoInput(List<Path> outputs) {
    for (Path f : outputs) {
      for (Path input : new Path[] {in, items, ids}) {
        boolean clash =
            input != null
                && (Inputs.sameFile(f, input)
                    || Files.isDirectory(input)
                        && Files.exists(f)
                        && Inputs.sameFile(f.toAbsolutePath().getParent(), input));
        if (clash) {
          throw new IllegalArgumentException(
              "--out " + out + " would replace the input " + f
                  + "; an output never replaces an input: choose another --out");
        }
      }
    }
  }

  private static void say(PrintWriter err, String msg) {
    err.println("lore convert: " + msg);
    err.flush();
  }

  private long seed(long dflt) {
    return seed != null ? seed : dflt;
  }

  private Protocol protocol() {
    return new Protocol(unseenFraction, fewShot != null ? fewShot : 9, testFraction, seed(42));
  }

  private PreferenceSplits load(PrintWriter err) throws IOException {
    return switch (layout) {
      case JESTER -> ratings(Jester5k.embeddings(), err);
      case ZAPPOS -> {
        ItemTable t = Zappos5.items();
        var users =
            in == null ? Zappos5.comparisons() : Zappos5.comparisons(dirFile("zappos_6000.csv"));
        yield PreferenceSplits.of(
            t, protocol().fromComparisons(users, t.matrix().data(), t.rows(), t.cols()), null);
      }
      case MOVIELENS -> {
        requireIn("a directory with movies.csv and ratings.csv");
        var movies = MovieLens.movies(in);
        ItemTable t =
            embedder == Embedder.NONE
                ? precomputed("MovieLens texts (ids = movieId)")
                : embed(movies.ids(), movies.texts(), err);
        yield ratings(t, err);
      }
      case COMPARISONS -> {
        requireIn("a comparisons CSV, TSV or JSON lines file");
        Inputs.requireFile(in, "comparisons");
        boolean texts = text || items == null;
        ItemTable table = texts ? null : table(items);
        Comparisons c =
            Comparisons.read(
                in,
                new Comparisons.Columns(
                    userColumn, chosenColumn, rejectedColumn, splitColumn, promptColumn),
                table == null ? null : table.index());
        yield comparisons(c, table, err);
      }
      case PERSONALLLM -> {
        requireIn("a directory with {train,test}.safetensors and {train,test}.{parquet,csv}");
        var users =
            new PersonalLlm.Users(
                alpha, seen, unseen, trainPairs != null ? trainPairs : 0,
                fewShot != null ? fewShot : 0, seed(42));
        yield PersonalLlm.read(in, users);
      }
      case TLDR -> {
        requireIn("a comparisons JSON lines file");
        Inputs.requireFile(in, "TL;DR comparisons");
        var r =
            new RedditTldr(
                trainPairs != null ? trainPairs : RedditTldr.REFERENCE.seenTrain(),
                fewShot != null ? fewShot : RedditTldr.REFERENCE.fewShot(),
                seed(RedditTldr.REFERENCE.seed()));
        yield comparisons(r.read(in), null, err);
      }
      case PRISM -> {
        requireIn("a conversations JSON lines file");
        Inputs.requireFile(in, "PRISM conversations");
        var p = new Prism(Prism.REFERENCE.seenFraction(), Prism.REFERENCE.minDialogs(),
            seed(Prism.REFERENCE.seed()));
        yield comparisons(p.read(in), null, err);
      }
      case NPY, SAFETENSORS -> throw new IllegalStateException("tables are converted in call()");
    };
  }

  private PreferenceSplits ratings(ItemTable t, PrintWriter err) throws IOException {
    Map<String, Integer> index = t.index();
    Ratings r =
        switch (layout) {
          case JESTER -> in == null ? Jester5k.ratings(index) : Jester5k.ratings(in, index);
          default -> MovieLens.ratings(in, index);
        };
    say(err, r.userCount() + " users, " + r.size() + " ratings; pairing");
    RatingsToPairs rules = new RatingsToPairs(minGap, maxPairs, seed(42));
    return PreferenceSplits.of(
        t, protocol().fromRatings(r, rules, t.matrix().data(), t.rows(), t.cols()), null);
  }

  private PreferenceSplits comparisons(Comparisons c, ItemTable table, PrintWriter err)
      throws IOException {
    say(err, c.size() + " comparisons, " + c.users().size() + " users, " + c.itemIds().size()
        + " items, splits " + c.splitNames());
    if (c.hasTextItems()) {
      if (promptInText) {
        c = c.withPromptInText();
      }
      var texts = c.itemTexts();
      table =
          embedder == Embedder.NONE
              ? precomputed("texts (ids = SHA-256 of the text, as in items.texts.jsonl)")
              : embed(texts.ids(), texts.texts(), err);
      Files.createDirectories(out);
      requireNoInput(List.of(out.resolve("items.texts.jsonl")));
      texts.write(out.resolve("items.texts.jsonl"));
    }
    boolean split = protocol || c.splitNames().equals(List.of(Comparisons.NO_SPLIT));
    return split ? c.toProtocol(table, protocol()) : c.toSplits(table);
  }

  private ItemTable embed(List<String> ids, List<String> texts, PrintWriter err)
      throws IOException {
    Path cacheDir = cache != null ? cache : out.resolve(".lore-cache");
    int t = Inputs.threads(threads, "--threads");
    try (ExecutorService pool = Pools.fixed(t, "lore-embed")) {
      MiniLmEmbedder model = new MiniLmEmbedder(pool);
      say(err, "embedding " + texts.size() + " texts with " + model.name() + " (cache "
          + cacheDir + ")");
      float[] v =
          TextEmbeddings.embed(
              model, texts, cacheDir, batch, new DataProgress(err, "embed", Progress.interactive()));
      return new ItemTable(new Npy.Matrix(v, ids.size(), model.dim()), ids);
    }
  }

  private ItemTable precomputed(String what) throws IOException {
    if (items == null) {
      throw new IllegalArgumentException(
          "--embedder none needs --items FILE with precomputed vectors of the " + what);
    }
    return table(items);
  }

  private ItemTable table(Path f) throws IOException {
    return ItemTable.read(Inputs.requireFile(f, "items"), ids, tensor);
  }

  private Path dirFile(String name) {
    return Files.isDirectory(in) ? in.resolve(name) : in;
  }

  private void requireIn(String what) {
    if (in == null) {
      throw new IllegalArgumentException(
          "--layout " + layout.name().toLowerCase(Locale.ROOT) + " needs --in: " + what);
    }
  }
}
