package lore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lore.RewardModel;
import lore.cli.serve.RewardService;
import lore.cli.serve.Server;
import lore.datasets.ItemTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lore load} against an in-process server: it counts every endpoint and no errors. */
class LoadCommandTest {
  @TempDir Path dir;

  @Test
  void measuresScoresAndUpdatesWithoutErrors() throws Exception {
    TinyModel tiny = TinyModel.create(dir);
    RewardModel model = RewardModel.load(tiny.model());
    ItemTable items = ItemTable.read(tiny.items(), null, null);
    RewardService svc =
        new RewardService(
            model, items, dir.resolve("state"), RewardService.Options.defaults(), p -> null);
    try (Server s =
        new Server(
            svc, Server.Limits.defaults(), "127.0.0.1", 0, new PrintWriter(new StringWriter()))) {
      Cli r =
          Cli.run(
              "load",
              "--url",
              "http://127.0.0.1:" + s.port(),
              "--items",
              tiny.items().toString(),
              "--user",
              model.userId(0),
              "--clients",
              "2",
              "--candidates",
              "8",
              "--observe-percent",
              "30",
              "--question-percent",
              "30",
              "--question-items",
              "5",
              "--seconds",
              "2",
              "--warmup",
              "1"); // the first requests of each endpoint load classes: not measured
      assertEquals(0, r.code(), r::dump);
      Matcher m = Pattern.compile("/score\\s+(\\d+) requests").matcher(r.out());
      assertTrue(m.find() && Integer.parseInt(m.group(1)) > 0, r::dump);
      Matcher u = Pattern.compile("/observe\\s+(\\d+) requests").matcher(r.out());
      assertTrue(u.find() && Integer.parseInt(u.group(1)) > 0, r::dump);
      Matcher q = Pattern.compile("/next-question\\s+(\\d+) requests").matcher(r.out());
      assertTrue(q.find() && Integer.parseInt(q.group(1)) > 0, r::dump);
      assertTrue(r.out().contains("errors 0"), r::dump);
    }
    Cli remote =
        Cli.run(
            "load",
            "--url",
            "http://192.0.2.1:8080",
            "--items",
            tiny.items().toString(),
            "--user",
            "x");
    assertEquals(2, remote.code(), remote::dump);
    assertTrue(remote.err().contains("not a loopback address"), remote::dump);
  }
}
