package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import lore.datasets.ItemTable;
import lore.datasets.ItemTexts;
import lore.datasets.Npy;
import lore.datasets.TextEmbeddings;
import lore.experiment.MiniLmEmbedder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore embed}: item texts to an embedding table with the in-process all-MiniLM-L6-v2 model,
 * batched and cached by content hash.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Embed item texts (CSV, TSV, JSON lines or .txt) with all-MiniLM-L6-v2 (384 dims, ONNX,"
          + " in-process) into an item table (.npy, .f16.npy or .safetensors) plus an ids file.",
      "Vectors are cached by SHA-256 of the text (default: beside the output), so a rerun only"
          + " embeds new texts."
    })
final class EmbedCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--texts", required = true, paramLabel = "FILE", description = "Item texts.")
  Path texts;

  @Option(
      names = "--id-column",
      paramLabel = "NAME",
      description =
          "Id column (default: id, item, item_id, itemId, joke_id, movieId or text_id, the first present, else the row number).")
  String idColumn;

  @Option(
      names = "--text-column",
      paramLabel = "NAME",
      description =
          "Text column (default: text, content, body, sentence or document, the first present).")
  String textColumn;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Item table: .npy (float32), .f16.npy (float16) or .safetensors.")
  Path out;

  @Option(
      names = "--ids-out",
      paramLabel = "FILE",
      description = "Item ids, one per line (default: OUT with extension .ids.txt).")
  Path idsOut;

  @Option(
      names = "--cache",
      paramLabel = "DIR",
      description = "Embedding cache directory (default: OUT's directory/.lore-cache).")
  Path cache;

  @Option(names = "--no-cache", description = "Do not read or write a cache.")
  boolean noCache;

  @Option(
      names = "--batch",
      defaultValue = "64",
      paramLabel = "N",
      description = "Texts per model call (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Threads of the model (default: the available processors).")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Inputs.requireFile(texts, "texts");
    Inputs.requireOutput(out, "--out", texts);
    Path ids = idsOut != null ? idsOut : ItemTable.idsFileFor(out);
    Inputs.requireOutput(ids, idsOut != null ? "--ids-out" : "the ids file", texts, out);
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
    }
    ItemTexts items = ItemTexts.read(texts, idColumn, textColumn);
    Path cacheDir =
        noCache
            ? null
            : cache != null ? cache : out.toAbsolutePath().getParent().resolve(".lore-cache");
    int t = Inputs.threads(threads, "--threads");
    long start = System.nanoTime();
    float[] vectors;
    try (ExecutorService pool = Pools.fixed(t, "lore-embed")) {
      MiniLmEmbedder model = new MiniLmEmbedder(pool);
      err.printf(
          Locale.ROOT,
          "lore embed: %d texts from %s with %s%n",
          items.texts().size(),
          texts,
          model.name());
      err.flush();
      vectors =
          TextEmbeddings.embed(
              model,
              items.texts(),
              cacheDir,
              batch,
              new Progress(err, "embed", Progress.interactive()));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    ItemTable table = new ItemTable(new Npy.Matrix(vectors, items.ids().size(), 384), items.ids());
    table.write(out, ids);
    o.printf(
        Locale.ROOT,
        "embedded %d texts into %d x %d in %s (%.1f ms per text incl. model load and cache)%n",
        table.rows(),
        table.rows(),
        table.cols(),
        Progress.seconds(seconds),
        1000 * seconds / table.rows());
    o.printf(Locale.ROOT, "saved %s and %s%n", out, ids);
    o.flush();
    return 0;
  }
}
