package lore.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import lore.RewardModel;
import lore.UserWeights;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.TextEmbedder;
import lore.experiment.MiniLmEmbedder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /reward}: texts embedded in-process by MiniLM, scored for a user. */
class RewardEndpointTest {
  @TempDir Path dir;

  private static RewardModel model(int d) {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] basis = new float[2 * d];
    for (int i = 0; i < basis.length; i++) {
      basis[i] = (float) rnd.nextGaussian();
    }
    return RewardModel.fromBasis(basis, 2, d, 0.01)
        .withUser("ann", new UserWeights(new float[] {0.25f, 0.75f}));
  }

  private static ItemTable items(int d) {
    return ItemTable.rowOrder(new Npy.Matrix(new float[2 * d], 2, d));
  }

  @Test
  void rewardsTextsWithMiniLmForTheNamedOrDefaultUser() throws Exception {
    RewardModel m = model(384);
    List<String> texts = List.of("A cat sat on the mat.", "Stock markets fell today.");
    float[] e = new float[texts.size() * 384];
    try (ExecutorService pool = lore.cli.Pools.fixed(1, "test-embed")) {
      new MiniLmEmbedder(pool).embed(texts, e, 0);
    }
    RewardService svc =
        new RewardService(
            m,
            items(384),
            dir.resolve("state"),
            RewardService.Options.defaults(),
            MiniLmEmbedder::new);
    StringWriter err = new StringWriter();
    try (Server s =
        new Server(
            svc,
            Server.Limits.defaults().withDefaultUser("ann"),
            "127.0.0.1",
            0,
            new PrintWriter(err, true))) {
      Http h = Http.local(s.port());
      for (Map<String, Object> body :
          List.<Map<String, Object>>of(
              Map.of("user", "ann", "query", texts),
              Map.of("query", texts, "prompts", List.of("ignored")))) {
        Http.Reply r = h.post("/reward", body);
        assertEquals(200, r.status(), r::toString);
        float[] got = Http.floats(r.body().get("rewards"));
        assertEquals(texts.size(), got.length);
        for (int i = 0; i < texts.size(); i++) {
          float want = m.reward("ann").score(e, i * 384);
          assertEquals(want, got[i], 1e-4f * (1 + Math.abs(want)), "text " + i);
        }
      }
      Http.Reply blank = h.post("/reward", Map.of("query", List.of("a", "b", " ")));
      assertEquals(400, blank.status(), blank::toString);
      assertEquals("query[2]", blank.field(), blank::toString);
      assertEquals("", err.toString());
    }
  }

  @Test
  void aModelOfAnotherDimIsRefusedWith409() throws Exception {
    TextEmbedder fake =
        new TextEmbedder() {
          @Override
          public String name() {
            return "fake-384";
          }

          @Override
          public int dim() {
            return 384;
          }

          @Override
          public void embed(List<String> texts, float[] out, int offset) {
            throw new AssertionError("not called for a model of another dim");
          }
        };
    RewardService svc =
        new RewardService(
            model(8),
            items(8),
            dir.resolve("state"),
            RewardService.Options.defaults(),
            pool -> fake);
    try (Server s =
        new Server(
            svc, Server.Limits.defaults(), "127.0.0.1", 0, new PrintWriter(new StringWriter()))) {
      Http.Reply r =
          Http.local(s.port()).post("/reward", Map.of("user", "ann", "query", List.of("x")));
      assertEquals(409, r.status(), r::toString);
      assertTrue(r.body().get("error").asText().contains("dim is 8"), r::toString);
    }
  }
}
