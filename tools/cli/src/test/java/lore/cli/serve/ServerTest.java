package lore.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import lore.FewShotFitter;
import lore.FitConfig;
import lore.RewardModel;
import lore.cli.TinyModel;
import lore.datasets.ItemTable;
import lore.datasets.TextEmbedder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints in-process: happy paths, refusals naming the field, concurrency, restarts. */
class ServerTest {
  @TempDir static Path shared;
  static RewardModel model;
  static ItemTable items;

  @TempDir Path dir;
  private final List<Server> servers = new ArrayList<>();
  private final StringWriter serverErr = new StringWriter();

  @BeforeAll
  static void fixture() throws IOException {
    TinyModel tiny = TinyModel.create(shared);
    model = RewardModel.load(tiny.model());
    items = ItemTable.read(tiny.items(), null, null);
  }

  @AfterEach
  void stop() throws IOException {
    for (Server s : servers) {
      s.close();
    }
  }

  private Server start(Path state, RewardService.Options options, Server.Limits limits)
      throws IOException {
    RewardService service = new RewardService(model, items, state, options, ServerTest::noText);
    Server s = new Server(service, limits, "127.0.0.1", 0, new PrintWriter(serverErr, true));
    servers.add(s);
    return s;
  }

  private Http start() throws IOException {
    return Http.local(
        start(dir.resolve("state"), RewardService.Options.defaults(), Server.Limits.defaults())
            .port());
  }

  private static TextEmbedder noText(ExecutorService pool) {
    throw new AssertionError("no texts in this test");
  }

  private static String item(int row) {
    return items.ids().get(row);
  }

  private static float[] row(int r) {
    float[] e = new float[items.cols()];
    System.arraycopy(items.matrix().data(), r * items.cols(), e, 0, items.cols());
    return e;
  }

  @Test
  void healthNamesTheModel() throws Exception {
    Http.Reply r = start().get("/health");
    assertEquals(200, r.status(), r::toString);
    assertEquals(model.dim(), r.body().get("d").asInt());
    assertEquals(model.rank(), r.body().get("B").asInt());
    assertEquals(model.userCount(), r.body().get("users").asInt());
    assertTrue(r.body().get("kernels").asText().length() > 0, r::toString);
  }

  @Test
  void scoresAndReranksByItemIdAndByEmbedding() throws Exception {
    Http h = start();
    String user = model.userId(1);
    List<String> ids = List.of(item(3), item(0), item(7), item(5));
    Http.Reply r = h.post("/score", Map.of("user", user, "items", ids));
    assertEquals(200, r.status(), r::toString);
    float[] got = Http.floats(r.body().get("scores"));
    int[] rows = {3, 0, 7, 5};
    for (int i = 0; i < rows.length; i++) {
      assertEquals(model.score(user, row(rows[i])), got[i], 0f, "candidate " + i);
    }
    List<float[]> emb = List.of(row(3), row(0), row(7), row(5));
    Http.Reply byEmb = h.post("/score", Map.of("user", user, "embeddings", emb));
    assertEquals(200, byEmb.status(), byEmb::toString);
    assertArrayEquals(got, Http.floats(byEmb.body().get("scores")), 0f);

    Http.Reply rr = h.post("/rerank", Map.of("user", user, "items", ids));
    assertEquals(200, rr.status(), rr::toString);
    float[] sorted = Http.floats(rr.body().get("scores"));
    for (int i = 1; i < sorted.length; i++) {
      assertTrue(sorted[i - 1] >= sorted[i], rr::toString);
    }
    for (int i = 0; i < ids.size(); i++) {
      int at = ids.indexOf(rr.body().get("ids").get(i).asText());
      assertEquals(got[at], sorted[i], 0f, rr::toString);
    }
    Http.Reply rrEmb = h.post("/rerank", Map.of("user", user, "embeddings", emb));
    assertEquals(
        ids.indexOf(rr.body().get("ids").get(0).asText()), rrEmb.body().get("ids").get(0).asInt());
  }

  @Test
  void badRequestsAreRefusedNamingTheFieldAndChangeNothing() throws Exception {
    Server s =
        start(
            dir.resolve("state"),
            RewardService.Options.defaults(),
            Server.Limits.defaults().withMaxBody(4096).withMaxCandidates(4));
    Http h = Http.local(s.port());
    String user = model.userId(0);
    Object[][] cases = {
      {"/score", "{not json", 400, "body"},
      {"/score", "[1, 2]", 400, "body"},
      {"/score", "", 400, "body"},
      {"/score", Map.of("items", List.of(item(0))), 400, "user"},
      {"/score", Map.of("user", 7, "items", List.of(item(0))), 400, "user"},
      {"/score", Map.of("user", "nobody", "items", List.of(item(0))), 404, "user"},
      {"/score", Map.of("user", user), 400, "items"},
      {"/score", Map.of("user", user, "items", List.of()), 400, "items"},
      {"/score", Map.of("user", user, "items", List.of(item(0), "no-such-item")), 400, "items[1]"},
      {"/score", Map.of("user", user, "items", List.of(item(0), 3)), 400, "items[1]"},
      {
        "/score",
        Map.of("user", user, "items", List.of(item(0), item(1), item(2), item(3), item(4))),
        413,
        "items"
      },
      {"/score", Map.of("user", user, "embeddings", List.of(new float[3])), 400, "embeddings[0]"},
      {
        "/score",
        Map.of("user", user, "embeddings", List.of(List.of(1, 2, 3, 4, 5, 6, 7, "x"))),
        400,
        "embeddings[0][7]"
      },
      {
        "/score",
        Map.of("user", user, "items", List.of(item(0)), "embeddings", List.of(row(0))),
        400,
        "items"
      },
      {
        "/score",
        "{\"user\": \"" + user + "\", \"items\": [\"" + "x".repeat(5000) + "\"]}",
        413,
        "body"
      },
      {
        "/observe",
        Map.of("user", user, "pairs", List.of(Map.of("chosen", item(0), "rejected", item(1)))),
        409,
        "user"
      },
      {
        "/observe",
        Map.of("user", "new", "pairs", List.of(Map.of("chosen", item(0)))),
        400,
        "pairs[0]"
      },
      {
        "/observe",
        Map.of("user", "new", "pairs", List.of(Map.of("chosen", item(2), "rejected", item(2)))),
        400,
        "pairs[0]"
      },
      {
        "/observe",
        Map.of("user", "new", "pairs", List.of(Map.of("chosen", item(2), "rejected", "zz"))),
        400,
        "pairs[0].rejected"
      },
      {
        "/observe",
        Map.of("user", "new", "pairs", List.of(Map.of("chosen", row(1), "rejected", new float[2]))),
        400,
        "pairs[0].rejected"
      },
      {"/observe", Map.of("user", "new", "pairs", "none"), 400, "pairs"},
      {"/reward", Map.of("query", List.of("hello")), 400, "user"},
      {"/reward", Map.of("user", "nobody", "query", List.of("hello")), 404, "user"},
      {"/reward", Map.of("user", user, "query", List.of(1)), 400, "query[0]"},
    };
    for (Object[] c : cases) {
      Http.Reply r =
          c[1] instanceof String json ? h.post((String) c[0], json) : h.post((String) c[0], c[1]);
      String what =
          c[0]
              + " "
              + c[1].toString().substring(0, Math.min(120, c[1].toString().length()))
              + " -> "
              + r;
      assertEquals((int) c[2], r.status(), what);
      assertEquals(c[3], r.field(), what);
      assertFalse(r.body().get("error").asText().isBlank(), what);
    }
    assertEquals(405, h.get("/score").status());
    assertEquals(404, h.get("/nope").status());
    assertEquals(404, h.get("/users/nobody").status());
    Http.Reply health = h.get("/health");
    assertEquals(200, health.status());
    assertEquals(0, health.body().get("last_update").asLong(), "no refused request was logged");
    assertEquals(model.userCount(), health.body().get("users").asInt());
    assertEquals("", serverErr.toString(), "no internal error");
  }

  @Test
  void observeFitsNewUsersUnderTheModelsPriorAndAccumulatesTheirPairs() throws Exception {
    Http h = start();
    int[][] pairs = {{0, 1}, {2, 5}, {7, 3}};
    Http.Reply first =
        h.post(
            "/observe",
            Map.of(
                "user",
                "ann",
                "pairs",
                List.of(
                    Map.of("chosen", item(0), "rejected", item(1)),
                    Map.of("chosen", row(2), "rejected", row(5)))));
    assertEquals(200, first.status(), first::toString);
    assertEquals(2, first.body().get("observed_pairs").asInt());
    assertArrayEquals(fit(pairs, 2), Http.floats(first.body().get("weights")), 1e-4f);

    Http.Reply second =
        h.post(
            "/observe",
            Map.of(
                "user", "ann", "pairs", List.of(Map.of("chosen", item(7), "rejected", item(3)))));
    assertEquals(200, second.status(), second::toString);
    assertEquals(3, second.body().get("observed_pairs").asInt());
    float[] w = Http.floats(second.body().get("weights"));
    assertArrayEquals(fit(pairs, 3), w, 1e-4f);

    Http.Reply plus =
        h.post(
            "/observe",
            Map.of(
                "user", "a+b c", "pairs", List.of(Map.of("chosen", item(1), "rejected", item(2)))));
    assertEquals(200, plus.status(), plus::toString);
    assertEquals(200, h.get("/users/a+b%20c").status(), "ids are path segments, percent-decoded");
    Http.Reply u = h.get("/users/ann");
    assertEquals(200, u.status(), u::toString);
    assertArrayEquals(w, Http.floats(u.body().get("weights")), 0f);
    assertFalse(u.body().get("trained").asBoolean());
    Http.Reply s = h.post("/score", Map.of("user", "ann", "items", List.of(item(4))));
    assertEquals(200, s.status(), s::toString);
    RewardModel withAnn = model.withUser("ann", new lore.UserWeights(w));
    assertEquals(withAnn.score("ann", row(4)), s.body().get("scores").get(0).floatValue(), 0f);
  }

  /** The engine's own few-shot fit of the first k pairs (by row), under the model's prior. */
  private static float[] fit(int[][] pairs, int k) {
    FewShotFitter f = model.fewShotFitter(FitConfig.defaults(), 10);
    int d = items.cols();
    float[] c = new float[k * d];
    float[] r = new float[k * d];
    for (int i = 0; i < k; i++) {
      System.arraycopy(row(pairs[i][0]), 0, c, i * d, d);
      System.arraycopy(row(pairs[i][1]), 0, r, i * d, d);
    }
    return f.fit(c, r, k).weights();
  }

  @Test
  void updatesSurviveARestartThroughSnapshotsAndTheLog() throws Exception {
    Path state = dir.resolve("state");
    RewardService.Options opts = RewardService.Options.defaults().withSnapshotEvery(3);
    Server s = start(state, opts, Server.Limits.defaults());
    Http h = Http.local(s.port());
    Map<String, JsonNode> acked = new java.util.HashMap<>();
    for (int i = 0; i < 7; i++) {
      String user = "u" + (i % 3);
      Http.Reply r =
          h.post(
              "/observe",
              Map.of(
                  "user",
                  user,
                  "pairs",
                  List.of(Map.of("chosen", item(i % 10), "rejected", item((i + 3) % 10)))));
      assertEquals(200, r.status(), r::toString);
      acked.put(user, r.body());
    }
    assertTrue(Files.exists(state.resolve("snapshot.bin")), "a snapshot after 3 updates");
    // a crash leaves the log unclosed: copy the state as it is on disk now, before close()
    Path crashed = dir.resolve("crashed");
    Files.createDirectories(crashed);
    for (String f : List.of("snapshot.bin", "updates.log")) {
      Files.copy(state.resolve(f), crashed.resolve(f));
    }
    for (Path st : List.of(crashed, state)) {
      if (st == state) {
        s.close();
        servers.remove(s);
      }
      try (RewardService back = new RewardService(model, items, st, opts, ServerTest::noText)) {
        assertEquals(7, back.lastSeq(), st.toString());
        for (Map.Entry<String, JsonNode> e : acked.entrySet()) {
          RewardService.User u = back.user(e.getKey());
          assertEquals(e.getValue().get("observed_pairs").asLong(), u.observed(), e.getKey());
          assertArrayEquals(Http.floats(e.getValue().get("weights")), u.weights(), 0f);
        }
      }
    }
  }

  @Test
  void aTornLogTailIsCutAndDamageBeforeItRefusesToStart() throws Exception {
    Path state = dir.resolve("state");
    RewardService.Options opts = RewardService.Options.defaults();
    float[] w1;
    try (RewardService svc = new RewardService(model, items, state, opts, ServerTest::noText)) {
      float[] p = new float[model.rank()];
      svc.projectRows(0, 1, p, 0);
      w1 = svc.observe("ann", p, 1).weights();
      svc.projectRows(2, 3, p, 0);
      svc.observe("bob", p, 1);
      // no close(): a kill leaves the log as it is
      Files.copy(state.resolve("updates.log"), dir.resolve("two.log"));
    }
    Path log = state.resolve("updates.log");
    Files.copy(dir.resolve("two.log"), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.delete(state.resolve("snapshot.bin"));
    long whole = Files.size(log);
    // a half-written third record
    Files.write(log, new byte[] {40, 0, 0, 0, 1, 2, 3}, StandardOpenOption.APPEND);
    try (RewardService back = new RewardService(model, items, state, opts, ServerTest::noText)) {
      assertEquals(2, back.lastSeq());
      assertArrayEquals(w1, back.user("ann").weights(), 0f);
      assertEquals(whole, Files.size(log), "the torn tail is cut off");
    }
    // a flipped byte inside the first record, with the second after it
    Files.copy(dir.resolve("two.log"), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.delete(state.resolve("snapshot.bin"));
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff}), UpdateLog.HEADER + 20);
    }
    IOException e =
        assertThrows(
            IOException.class,
            () -> new RewardService(model, items, state, opts, ServerTest::noText));
    assertTrue(e.getMessage().contains("damaged record at byte offset"), e.getMessage());
    // and the state of one model is not served with another
    Files.copy(dir.resolve("two.log"), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    float[] basis = model.basis();
    basis[0] += 1;
    RewardModel other = RewardModel.fromBasis(basis, model.rank(), model.dim(), model.logitScale());
    IOException o =
        assertThrows(
            IOException.class,
            () -> new RewardService(other, items, state, opts, ServerTest::noText));
    assertTrue(o.getMessage().contains("another model"), o.getMessage());
  }

  @Test
  void twoServersNeverShareAState() throws Exception {
    start();
    IOException e = assertThrows(IOException.class, this::start);
    assertTrue(e.getMessage().contains("in use by another server"), e.getMessage());
  }

  @Test
  void scoringAndUpdatesRunConcurrently() throws Exception {
    Http h = start();
    String trained = model.userId(2);
    float[] want = new float[10];
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(item(i));
      want[i] = model.score(trained, row(i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Integer>> jobs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        jobs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    Http.Reply r = h.post("/score", Map.of("user", trained, "items", ids));
                    assertEquals(200, r.status(), r::toString);
                    assertArrayEquals(want, Http.floats(r.body().get("scores")), 0f);
                  }
                  return 50;
                }));
      }
      for (int t = 0; t < 2; t++) {
        String user = "new" + t;
        jobs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20; i++) {
                    Http.Reply r =
                        h.post(
                            "/observe",
                            Map.of(
                                "user",
                                user,
                                "pairs",
                                List.of(Map.of("chosen", item(i % 9), "rejected", item(9)))));
                    assertEquals(200, r.status(), r::toString);
                    assertEquals(i + 1, r.body().get("observed_pairs").asInt(), r::toString);
                  }
                  return 20;
                }));
      }
      int done = 0;
      for (Future<Integer> f : jobs) {
        done += f.get();
      }
      assertEquals(240, done);
    } finally {
      pool.shutdownNow();
    }
    Http.Reply health = h.get("/health");
    assertEquals(40, health.body().get("last_update").asLong());
    assertEquals(model.userCount() + 2, health.body().get("users").asInt());
  }
}
