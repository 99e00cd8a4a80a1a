package lore.cli;

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
import lore.datasets.Npy;
import lore.datasets.PreferenceSplits;
import lore.datasets.Prism;
import lore.datasets.RedditTldr;
import lore.datasets.TextEmbeddings;
import lore.experiment.DatasetCatalog;
import lore.experiment.Experiment;
import lore.experiment.ExperimentDataset;
import lore.experiment.MiniLmEmbedder;
import lore.experiment.Split;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lore convert}: a dataset of the catalog ({@code --dataset}: split 0 of the seen/unseen
 * protocol that {@code experiment} draws) or a file layout ({@code --layout}) to the canonical
 * form, {@code items.npy} (float32) + {@code items.ids.txt} + one pairs CSV per split naming items
 * by id, which {@code train}, {@code fit-user} and {@code score} read. Texts are embedded with
 * all-MiniLM-L6-v2 through the content-hash cache, or, with {@code --embedder none}, looked up in a
 * precomputed table whose ids are the texts' SHA-256.
 */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Convert data to items.npy + items.ids.txt + <split>.csv (items by id) in --out.",
      "--dataset NAME (as in demo and experiment): split 0 of the seen/unseen protocol, as train,"
          + " fewshot, test-seen and test-unseen.",
      "--layout comparisons (--in CSV/TSV/JSONL, --items table of its item ids or inline texts),"
          + " tldr, prism (--in JSONL, the paper's own splits), npy / safetensors (--in table:"
          + " items only). Comparisons without a split column (or with --protocol) are split"
          + " like --dataset pairs."
    })
final class ConvertCommand implements Callable<Integer> {
  /** The file layouts. */
  enum Layout {
    COMPARISONS,
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

  /** Rank selection's hold-out is not written, but a split draws it: the experiment's default. */
  private static final double VALIDATION_FRACTION = 0.2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--layout",
      paramLabel = "NAME",
      description =
          "Convert a file instead of a --dataset: comparisons, tldr, prism, npy, safetensors.")
  Layout layout;

  @Option(names = "--in", paramLabel = "PATH", description = "--layout: the input file.")
  Path in;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

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
      description =
          "minilm or none (texts need a precomputed --items) (default: ${DEFAULT-VALUE}).")
  Embedder embedder;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description = "Embedding cache (default: OUT/.lore-cache).")
  Path cache;

  @Option(
      names = "--batch",
      defaultValue = "64",
      paramLabel = "N",
      description = "Texts per model call (default: ${DEFAULT-VALUE}).")
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

  @Option(
      names = "--prompt-column",
      paramLabel = "NAME",
      description = "Default: prompt (optional).")
  String promptColumn;

  @Option(
      names = "--protocol",
      description = "Comparisons: split by the seen/unseen protocol even if the file has splits.")
  boolean protocol;

  @Mixin DatasetOptions data;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
    }
    if (in != null && layout == null) {
      throw new IllegalArgumentException("--in needs a --layout (datasets are named by --dataset)");
    }
    if (in != null && !Files.exists(in)) {
      throw new IllegalArgumentException("input not found: " + in);
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out must be a directory: " + out);
    }
    long start = System.nanoTime();
    say(
        err,
        "reading "
            + (layout == null ? data.name() : layout.name().toLowerCase(Locale.ROOT))
            + (in == null ? "" : " " + in));
    if (layout == Layout.NPY || layout == Layout.SAFETENSORS) {
      ItemTable t = table(requireIn("an item table")); // a table alone: no comparisons
      Path f = out.resolve("items.npy");
      requireNoInput(List.of(f, ItemTable.idsFileFor(f)));
      Files.createDirectories(out);
      t.write(f, ItemTable.idsFileFor(f));
      o.printf(
          Locale.ROOT,
          "converted %d items x %d to %s and %s%n",
          t.rows(),
          t.cols(),
          f,
          ItemTable.idsFileFor(f));
      o.flush();
      return 0;
    }
    PreferenceSplits s = layout == null ? dataset(err) : load(err);
    double read = (System.nanoTime() - start) / 1e9;
    requireNoInput(s.files(out));
    List<Path> files = s.write(out, new Progress(err, "convert", Progress.interactive()));
    for (Map.Entry<String, PreferenceData> e : s.splits().entrySet()) {
      o.printf(
          Locale.ROOT,
          "%-12s %8d pairs  %6d users%n",
          e.getKey(),
          e.getValue().pairCount(),
          e.getValue().userCount());
    }
    o.printf(
        Locale.ROOT,
        "converted %d items x %d, %d users, %d pairs in %s; wrote %d files to %s%n",
        s.items().rows(),
        s.items().cols(),
        s.users().size(),
        s.pairCount(),
        Progress.seconds((System.nanoTime() - start) / 1e9),
        files.size(),
        out);
    o.flush();
    if (read > 5) {
      say(err, "read and embedded in " + Progress.seconds(read));
    }
    return 0;
  }

  /** Split 0 of a catalog dataset, drawn as {@code experiment} draws it with the same seed. */
  private PreferenceSplits dataset(PrintWriter err) throws IOException {
    ExperimentDataset ds = data.open(data.alpha(), Inputs.threads(threads, "--threads"), err);
    return split(ds, err);
  }

  private PreferenceSplits split(ExperimentDataset ds, PrintWriter err) {
    say(err, ds.description());
    Split s = ds.split(0, Experiment.splitSeed(data.seed, 0), data.fewShot, VALIDATION_FRACTION);
    PreferenceData train = s.train();
    List<String> itemIds = ds.itemIds();
    ItemTable items =
        itemIds == null
            ? ItemTable.rowOrder(new Npy.Matrix(train.items(), train.itemCount(), train.dim()))
            : new ItemTable(new Npy.Matrix(train.items(), train.itemCount(), train.dim()), itemIds);
    return PreferenceSplits.of(
        items,
        train,
        s.fewShot(data.fewShot),
        s.testSeen(),
        s.testUnseen(),
        ds.referenceReward(train.items()));
  }

  /**
   * An output never replaces an input, checked before anything is written: no output is {@code
   * --in}, {@code --items}, {@code --ids}, {@code --pairs} or {@code --ratings}, nor a file that
   * already exists in an input directory (all of which may be read).
   */
  private void requireNoInput(List<Path> outputs) {
    for (Path f : outputs) {
      for (Path input : new Path[] {in, data.items, ids, data.pairs, data.ratings, data.dataDir}) {
        boolean clash =
            input != null
                && (Inputs.sameFile(f, input)
                    || Files.isDirectory(input)
                        && Files.exists(f)
                        && Inputs.sameFile(f.toAbsolutePath().getParent(), input));
        if (clash) {
          throw new IllegalArgumentException(
              "--out "
                  + out
                  + " would replace the input "
                  + f
                  + "; an output never replaces an input: choose another --out");
        }
      }
    }
  }

  private static void say(PrintWriter err, String msg) {
    err.println("lore convert: " + msg);
    err.flush();
  }

  private PreferenceSplits load(PrintWriter err) throws IOException {
    return switch (layout) {
      case COMPARISONS -> {
        Inputs.requireFile(requireIn("a comparisons CSV, TSV or JSON lines file"), "comparisons");
        boolean texts = text || data.items == null;
        ItemTable table = texts ? null : table(data.items);
        Comparisons c =
            Comparisons.read(
                in,
                new Comparisons.Columns(
                    userColumn, chosenColumn, rejectedColumn, splitColumn, promptColumn),
                table == null ? null : table.index());
        yield comparisons(c, table, err);
      }
      case TLDR -> {
        Inputs.requireFile(requireIn("a comparisons JSON lines file"), "TL;DR comparisons");
        boolean given = spec.commandLine().getParseResult().hasMatchedOption("--train-pairs");
        var r =
            new RedditTldr(
                given ? data.trainPairs : RedditTldr.REFERENCE.seenTrain(),
                spec.commandLine().getParseResult().hasMatchedOption("--few-shot")
                    ? data.fewShot
                    : RedditTldr.REFERENCE.fewShot(),
                spec.commandLine().getParseResult().hasMatchedOption("--seed")
                    ? data.seed
                    : RedditTldr.REFERENCE.seed());
        yield comparisons(r.read(in), null, err);
      }
      case PRISM -> {
        Inputs.requireFile(requireIn("a conversations JSON lines file"), "PRISM conversations");
        var p =
            new Prism(
                Prism.REFERENCE.seenFraction(),
                Prism.REFERENCE.minDialogs(),
                spec.commandLine().getParseResult().hasMatchedOption("--seed")
                    ? data.seed
                    : Prism.REFERENCE.seed());
        yield comparisons(p.read(in), null, err);
      }
      case NPY, SAFETENSORS -> throw new IllegalStateException("tables are converted in call()");
    };
  }

  private PreferenceSplits comparisons(Comparisons c, ItemTable table, PrintWriter err)
      throws IOException {
    say(
        err,
        c.size()
            + " comparisons, "
            + c.users().size()
            + " users, "
            + c.itemIds().size()
            + " items, splits "
            + c.splitNames());
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
    if (!protocol && !c.splitNames().equals(List.of(Comparisons.NO_SPLIT))) {
      return c.toSplits(table);
    }
    PreferenceData all = merge(c.toSplits(table)); // with --protocol every split's, split anew
    ExperimentDataset ds =
        DatasetCatalog.pairs(
            all,
            in.getFileName().toString(),
            "pairs".equalsIgnoreCase(data.split),
            data.unseenFraction,
            data.testFraction,
            data.trainPairs,
            table.ids());
    return split(ds, err);
  }

  /** Every comparison of every split, in split order, over the one item table. */
  private static PreferenceData merge(PreferenceSplits s) {
    PreferenceData.Builder b = null;
    for (PreferenceData d : s.splits().values()) {
      b = b == null ? PreferenceData.builder(d) : b;
      for (int u = 0; u < d.userCount(); u++) {
        for (int p = d.pairStart(u); p < d.pairEnd(u); p++) {
          b.add(d.userId(u), d.chosen(p), d.rejected(p));
        }
      }
    }
    return b.build();
  }

  private ItemTable embed(List<String> ids, List<String> texts, PrintWriter err)
      throws IOException {
    Path cacheDir = cache != null ? cache : out.resolve(".lore-cache");
    int t = Inputs.threads(threads, "--threads");
    try (ExecutorService pool = Pools.fixed(t, "lore-embed")) {
      MiniLmEmbedder model = new MiniLmEmbedder(pool);
      say(
          err,
          "embedding "
              + texts.size()
              + " texts with "
              + model.name()
              + " (cache "
              + cacheDir
              + ")");
      float[] v =
          TextEmbeddings.embed(
              model, texts, cacheDir, batch, new Progress(err, "embed", Progress.interactive()));
      return new ItemTable(new Npy.Matrix(v, ids.size(), model.dim()), ids);
    }
  }

  private ItemTable precomputed(String what) throws IOException {
    if (data.items == null) {
      throw new IllegalArgumentException(
          "--embedder none needs --items FILE with precomputed vectors of the " + what);
    }
    return table(data.items);
  }

  private ItemTable table(Path f) throws IOException {
    return ItemTable.read(Inputs.requireFile(f, "items"), ids, tensor);
  }

  private Path requireIn(String what) {
    if (in == null) {
      throw new IllegalArgumentException(
          "--layout " + layout.name().toLowerCase(Locale.ROOT) + " needs --in: " + what);
    }
    return in;
  }
}
