package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lore.RewardModel;
import lore.UserWeights;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.Safetensors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lore export} round-trips: each format read back into {@code RewardModel.fromBasis} plus
 * the weights scores every item exactly as the model does; the README's Python snippet reads the
 * exports too (where python3 with numpy is installed).
 */
class ExportCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  static TinyModel tiny;
  static RewardModel model;
  static ItemTable items;

  @TempDir Path dir;

  @BeforeAll
  static void fixture() throws IOException {
    tiny = TinyModel.create(shared);
    Cli fit =
        Cli.run(
            "fit-user",
            "--model",
            tiny.model().toString(),
            "--items",
            tiny.items().toString(),
            "--pairs",
            tiny.fewshot().toString(),
            "--out",
            shared.resolve("with-new.lore").toString());
    assertEquals(0, fit.code(), fit::dump);
    model = RewardModel.load(shared.resolve("with-new.lore"));
    items = ItemTable.read(tiny.items(), null, null);
    assertEquals(9, model.userCount(), "6 trained and 3 fitted users");
  }

  /** The users of an export, rebuilt on its basis, score like the model, bit for bit. */
  private static void assertSameScores(
      float[] basis, int rank, int dim, double scale, List<String> ids, float[] weights) {
    assertEquals(model.dim(), dim);
    assertEquals(model.rank(), rank);
    assertEquals(model.logitScale(), scale, 0);
    RewardModel back = RewardModel.fromBasis(basis, rank, dim, scale);
    for (int u = 0; u < ids.size(); u++) {
      float[] w = new float[rank];
      System.arraycopy(weights, u * rank, w, 0, rank);
      back = back.withUser(ids.get(u), new UserWeights(w));
    }
    assertEquals(model.userCount(), back.userCount());
    float[] e = new float[dim];
    for (int u = 0; u < model.userCount(); u++) {
      String id = model.userId(u);
      for (int i = 0; i < items.rows(); i++) {
        System.arraycopy(items.matrix().data(), i * dim, e, 0, dim);
        assertEquals(model.score(id, e), back.score(id, e), 0f, "user " + id + " item " + i);
      }
    }
  }

  private Cli export(String format, Path out) {
    return Cli.run(
        "export",
        "--model",
        shared.resolve("with-new.lore").toString(),
        "--format",
        format,
        "--out",
        out.toString());
  }

  @Test
  void safetensorsRoundTrips() throws Exception {
    Path out = dir.resolve("st");
    Cli r = export("safetensors", out);
    assertEquals(0, r.code(), r::dump);
    Path f = out.resolve("model.safetensors");
    assertEquals(List.of("basis", "user_weights"), Safetensors.names(f));
    Map<String, String> meta = Safetensors.metadata(f);
    assertEquals("lore-export", meta.get("format"));
    Npy.Matrix basis = Safetensors.read(f, "basis");
    Npy.Matrix weights = Safetensors.read(f, "user_weights");
    List<String> ids = strings(JSON.readTree(meta.get("user_ids")));
    JsonNode modelMeta = JSON.readTree(meta.get("model_metadata"));
    assertEquals(model.metadata().get("rank"), modelMeta.get("rank").asText());
    assertSameScores(
        basis.data(),
        Integer.parseInt(meta.get("rank")),
        Integer.parseInt(meta.get("dim")),
        Double.parseDouble(meta.get("logit_scale")),
        ids,
        weights.data());
  }

  @Test
  void npyRoundTrips() throws Exception {
    Path out = dir.resolve("npy");
    Cli r = export("npy", out);
    assertEquals(0, r.code(), r::dump);
    JsonNode info = JSON.readTree(out.resolve("model.json").toFile());
    Npy.Matrix basis = Npy.read(out.resolve("basis.npy"));
    Npy.Matrix weights = Npy.read(out.resolve("user_weights.npy"));
    assertEquals(info.get("user_ids").size(), weights.rows());
    assertSameScores(
        basis.data(),
        info.get("rank").asInt(),
        info.get("dim").asInt(),
        info.get("logit_scale").asDouble(),
        strings(info.get("user_ids")),
        weights.data());
  }

  @Test
  void jsonRoundTrips() throws Exception {
    Path out = dir.resolve("json");
    Cli r = export("json", out);
    assertEquals(0, r.code(), r::dump);
    JsonNode info = JSON.readTree(out.resolve("model.json").toFile());
    assertSameScores(
        floats(info.get("basis")),
        info.get("rank").asInt(),
        info.get("dim").asInt(),
        info.get("logit_scale").asDouble(),
        strings(info.get("user_ids")),
        floats(info.get("user_weights")));
    assertEquals(
        model.metadata().get("logitScale"), info.get("metadata").get("logitScale").asText());
  }

  @Test
  void refusesToReplaceTheModelAndNamesTheOption() throws Exception {
    Path m = dir.resolve("model.json");
    Files.copy(shared.resolve("with-new.lore"), m);
    Cli r = Cli.run("export", "--model", m.toString(), "--format", "json", "--out", dir.toString());
    assertEquals(2, r.code(), r::dump);
    assertTrue(r.err().contains("--out") && r.err().contains("would replace the model"), r::dump);
    Cli bad =
        Cli.run("export", "--model", m.toString(), "--format", "onnx", "--out", dir.toString());
    assertEquals(2, bad.code(), bad::dump);
    assertTrue(bad.err().contains("--format"), bad::dump);
  }

  /**
   * The README's Python snippet, run on an npy and a safetensors export, gives the same rewards.
   */
  @Test
  void readmePythonSnippetReadsTheExports() throws Exception {
    Assumptions.assumeTrue(pythonWithNumpy(), "python3 with numpy is not installed");
    String readme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
    Matcher py = Pattern.compile("```python\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(py.find(), "README has a python block");
    String snippet = py.group(1);
    assertEquals(0, export("npy", dir.resolve("export-npy")).code());
    assertEquals(0, export("safetensors", dir.resolve("export-st")).code());
    Npy.writeFloat32(dir.resolve("items.npy"), items.matrix().data(), items.rows(), items.cols());
    String user = model.userId(model.userCount() - 1);
    Path script = dir.resolve("check.py");
    Files.writeString(
        script,
        snippet
            + "\nimport sys\n"
            + "items = np.load('items.npy')\n"
            + "print(json.dumps(reward('"
            + user
            + "', items).tolist()))\n"
            + "t, meta = load_safetensors('export-st/model.safetensors')\n"
            + "u = json.loads(meta['user_ids']).index('"
            + user
            + "')\n"
            + "print(json.dumps((items @ (t['user_weights'][u] @ t['basis'])).tolist()))\n");
    Process p =
        new ProcessBuilder("python3", script.getFileName().toString())
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python finished");
    assertEquals(0, p.exitValue(), output);
    String[] lines = output.strip().split("\n");
    float[] e = new float[items.cols()];
    for (String line : List.of(lines[lines.length - 2], lines[lines.length - 1])) {
      JsonNode got = JSON.readTree(line);
      assertEquals(items.rows(), got.size(), output);
      for (int i = 0; i < items.rows(); i++) {
        System.arraycopy(items.matrix().data(), i * items.cols(), e, 0, items.cols());
        float want = model.score(user, e);
        assertEquals(want, got.get(i).asDouble(), 1e-5 * (1 + Math.abs(want)), output);
      }
    }
  }

  private static boolean pythonWithNumpy() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static float[] floats(JsonNode rows) {
    List<Float> out = new ArrayList<>();
    rows.forEach(r -> r.forEach(v -> out.add(v.floatValue())));
    float[] f = new float[out.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = out.get(i);
    }
    return f;
  }
}
