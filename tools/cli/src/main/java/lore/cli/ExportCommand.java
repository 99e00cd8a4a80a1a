package lore.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import lore.RewardModel;
import lore.datasets.AtomicFiles;
import lore.datasets.Dtype;
import lore.datasets.Npy;
import lore.datasets.Safetensors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore export}: a model's basis, users and metadata in formats that other stacks read
 * without this project: safetensors, NumPy {@code .npy} plus JSON, or one JSON file. Every value is
 * float32 exactly as in the model, so {@code RewardModel.fromBasis} plus the weights scores the
 * same.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Export a model's basis A (B x d), user ids and weights (users x B) and metadata:",
      "  safetensors: DIR/model.safetensors, tensors basis and user_weights (F32), __metadata__"
          + " with dim, rank, logit_scale, user_ids (a JSON array) and the model's metadata;",
      "  npy: DIR/basis.npy, DIR/user_weights.npy (float32) and DIR/model.json (the rest);",
      "  json: DIR/model.json with everything."
    })
final class ExportCommand implements Callable<Integer> {
  /** The value of {@code format} in every export. */
  static final String FORMAT = "lore-export";

  private static final ObjectMapper JSON = new ObjectMapper();

  enum Format {
    SAFETENSORS,
    NPY,
    JSON
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file.")
  Path model;

  @Option(
      names = "--format",
      required = true,
      paramLabel = "FORMAT",
      description = "safetensors, npy or json.")
  Format format;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output directory (created if missing; files in it are replaced atomically).")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    Inputs.requireFile(model, "model");
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " exists and is not a directory");
    }
    List<Path> files =
        switch (format) {
          case SAFETENSORS -> List.of(out.resolve("model.safetensors"));
          case NPY ->
              List.of(
                  out.resolve("basis.npy"),
                  out.resolve("user_weights.npy"),
                  out.resolve("model.json"));
          case JSON -> List.of(out.resolve("model.json"));
        };
    for (Path f : files) {
      if (Inputs.sameFile(f, model)) {
        throw new IllegalArgumentException(
            "--out " + out + " would replace the model " + model + " with " + f.getFileName());
      }
    }
    RewardModel m = Inputs.model(model);
    Files.createDirectories(out);
    write(m, format, out);
    o.printf(
        Locale.ROOT,
        "exported %s (d %d, rank %d, %d users) as %s: %s%n",
        model,
        m.dim(),
        m.rank(),
        m.userCount(),
        format.name().toLowerCase(Locale.ROOT),
        String.join(", ", files.stream().map(Path::toString).toList()));
    o.flush();
    return 0;
  }

  /** Writes {@code m} into {@code dir} (which exists) in {@code format}, each file atomically. */
  static void write(RewardModel m, Format format, Path dir) throws IOException {
    int users = m.userCount();
    int k = m.rank();
    List<String> ids = new ArrayList<>(users);
    float[] weights = new float[users * k];
    for (int u = 0; u < users; u++) {
      String id = m.userId(u);
      ids.add(id);
      float[] w = m.weights(id).weights();
      System.arraycopy(w, 0, weights, u * k, k);
    }
    switch (format) {
      case SAFETENSORS -> {
        // __metadata__ holds strings only: numbers as text, the ids as one JSON array
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("dim", Integer.toString(m.dim()));
        meta.put("rank", Integer.toString(k));
        meta.put("logit_scale", Double.toString(m.logitScale()));
        meta.put("user_ids", JSON.writeValueAsString(ids));
        meta.put("model_metadata", JSON.writeValueAsString(m.metadata()));
        Safetensors.write(
            dir.resolve("model.safetensors"),
            List.of(
                new Safetensors.Tensor("basis", m.basis(), k, m.dim()),
                new Safetensors.Tensor("user_weights", weights, users, k)),
            Dtype.F32,
            meta);
      }
      case NPY -> {
        Npy.writeFloat32(dir.resolve("basis.npy"), m.basis(), k, m.dim());
        Npy.writeFloat32(dir.resolve("user_weights.npy"), weights, users, k);
        writeJson(dir.resolve("model.json"), header(m, ids));
      }
      case JSON -> {
        ObjectNode root = header(m, ids);
        float[] basis = m.basis();
        root.set("basis", rows(basis, k, m.dim()));
        root.set("user_weights", rows(weights, users, k));
        writeJson(dir.resolve("model.json"), root);
      }
    }
  }

  private static ObjectNode header(RewardModel m, List<String> ids) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("dim", m.dim());
    root.put("rank", m.rank());
    root.put("logit_scale", m.logitScale());
    ArrayNode a = root.putArray("user_ids");
    ids.forEach(a::add);
    ObjectNode meta = root.putObject("metadata");
    m.metadata().forEach(meta::put);
    return root;
  }

  /**
   * Rows of a row-major matrix as nested arrays; a float prints the shortest text that reads back.
   */
  private static ArrayNode rows(float[] data, int rows, int cols) {
    ArrayNode out = JSON.createArrayNode();
    for (int i = 0; i < rows; i++) {
      ArrayNode row = out.addArray();
      for (int j = 0; j < cols; j++) {
        row.add(data[i * cols + j]);
      }
    }
    return out;
  }

  private static void writeJson(Path file, ObjectNode root) throws IOException {
    AtomicFiles.write(file, JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
  }
}
