package lore.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import lore.CandidatePool;
import lore.ColdStart;
import lore.FitConfig;
import lore.RewardModel;
import lore.UserPosterior;
import lore.cli.TinyModel;
import lore.datasets.ItemTable;
import lore.datasets.TextEmbedder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /next-question}: the answer is the engine's ({@link CandidatePool}, {@link
 * ColdStart}) for the user's state, follows their {@code /observe} calls, refuses bad requests
 * naming the field, and reads a consistent state while updates run.
 */
class NextQuestionTest {
  @TempDir static Path shared;
  static RewardModel model;
  static ItemTable items;

  @TempDir Path dir;
  private final List<Server> servers = new ArrayList<>();
  private final StringWriter serverErr = new StringWriter();
  private RewardService service;

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
    assertEquals("", serverErr.toString(), "no internal error");
  }

  private Http start(RewardService.Options options, Server.Limits limits) throws IOException {
    service =
        new RewardService(
            model, items, dir.resolve("state" + servers.size()), options, NextQuestionTest::noText);
    Server s = new Server(service, limits, "127.0.0.1", 0, new PrintWriter(serverErr, true));
    servers.add(s);
    return Http.local(s.port());
  }

  private Http start() throws IOException {
    return start(RewardService.Options.defaults(), Server.Limits.defaults());
  }

  private static TextEmbedder noText(ExecutorService pool) {
    throw new AssertionError("no texts in this test");
  }

  private static String item(int row) {
    return items.ids().get(row);
  }

  /** The rows' embeddings, gathered in order (n x d). */
  private static float[] rows(int... r) {
    int d = items.cols();
    float[] e = new float[r.length * d];
    for (int i = 0; i < r.length; i++) {
      System.arraycopy(items.matrix().data(), r[i] * d, e, i * d, d);
    }
    return e;
  }

  private static List<String> ids(String a, String b) {
    return a.compareTo(b) < 0 ? List.of(a, b) : List.of(b, a);
  }

  private static List<String> ids(int... r) {
    List<String> out = new ArrayList<>();
    for (int x : r) {
      out.add(item(x));
    }
    return out;
  }

  private static final int[] CANDIDATES = {0, 1, 2, 3, 4, 5, 6, 7};

  /**
   * The engine's question for a posterior among every pair of CANDIDATES, as the server says it.
   */
  private static void assertSameQuestion(
      CandidatePool pool, UserPosterior post, BitSet asked, Http.Reply r) {
    assertEquals(200, r.status(), r::toString);
    int c = pool.mostInformative(post, asked);
    assertEquals(c, r.body().get("candidate").asInt(), r::toString);
    assertEquals(item(CANDIDATES[pool.first(c)]), r.body().get("first").asText(), r::toString);
    assertEquals(item(CANDIDATES[pool.second(c)]), r.body().get("second").asText(), r::toString);
    assertEquals(
        pool.informationGain(post, c), r.body().get("information_gain").asDouble(), 0, r::toString);
    assertEquals(
        pool.preferenceProbability(post, c),
        r.body().get("probability_first").asDouble(),
        0,
        r::toString);
  }

  private static Http.Reply ask(Http h, String user) throws Exception {
    return h.post("/next-question", Map.of("user", user, "items", ids(CANDIDATES)));
  }

  @Test
  void aNewUsersQuestionIsTheEnginesUnderThePrior() throws Exception {
    Http h = start();
    CandidatePool pool = CandidatePool.ofItems(model, rows(CANDIDATES), CANDIDATES.length);
    UserPosterior prior = new ColdStart(model, FitConfig.defaults(), 1).posterior();
    Http.Reply r = ask(h, "newcomer");
    assertSameQuestion(pool, prior, null, r);
    assertEquals(0, r.body().get("observed_pairs").asInt());
    assertTrue(r.body().get("information_gain").asDouble() > 0, "the prior has spread: " + r);

    // the same candidates as explicit pairs, in another order: the same pair wins
    List<Map<String, String>> pairs = new ArrayList<>();
    int[] a = new int[pool.size()];
    int[] b = new int[pool.size()];
    for (int c = pool.size() - 1, i = 0; c >= 0; c--, i++) {
      a[i] = pool.second(c); // reversed sides too
      b[i] = pool.first(c);
      pairs.add(Map.of("first", item(CANDIDATES[a[i]]), "second", item(CANDIDATES[b[i]])));
    }
    CandidatePool reversed = CandidatePool.ofPairs(model, rows(CANDIDATES), 8, a, b);
    Http.Reply byPairs = h.post("/next-question", Map.of("user", "newcomer", "pairs", pairs));
    assertEquals(200, byPairs.status(), byPairs::toString);
    int c = reversed.mostInformative(prior, null);
    assertEquals(c, byPairs.body().get("candidate").asInt(), byPairs::toString);
    assertEquals(item(CANDIDATES[a[c]]), byPairs.body().get("first").asText());
    assertEquals(
        reversed.preferenceProbability(prior, c),
        byPairs.body().get("probability_first").asDouble(),
        0);
    assertEquals(
        r.body().get("information_gain").asDouble(),
        byPairs.body().get("information_gain").asDouble(),
        1e-6,
        "the same pair's gain, either way round");
  }

  @Test
  void answeringThroughObserveMovesTheNextQuestion() throws Exception {
    Http h = start();
    CandidatePool pool = CandidatePool.ofItems(model, rows(CANDIDATES), CANDIDATES.length);
    ColdStart engine = new ColdStart(model, FitConfig.defaults(), 10);
    BitSet asked = new BitSet();
    List<Map<String, String>> askedPairs = new ArrayList<>();
    List<int[]> answered = new ArrayList<>(); // chosen, rejected rows
    double previousGain = Double.NaN;
    for (int k = 0; k < 4; k++) {
      Http.Reply q =
          h.post(
              "/next-question",
              Map.of("user", "loop", "items", ids(CANDIDATES), "asked", askedPairs));
      assertEquals(200, q.status(), q::toString);
      assertEquals(k, q.body().get("observed_pairs").asInt(), q::toString);
      int c = q.body().get("candidate").asInt();
      // the online engine loop: the same question, up to the rounding of its warm-started Newton
      // path and of the service's own projection of the answered pairs
      assertEquals(engine.posterior().pairs(), k);
      assertEquals(pool.mostInformative(engine.posterior(), asked), c, q::toString);
      assertEquals(
          pool.informationGain(engine.posterior(), c),
          q.body().get("information_gain").asDouble(),
          1e-6,
          q::toString);
      assertNotEquals(previousGain, q.body().get("information_gain").asDouble(), q::toString);
      previousGain = q.body().get("information_gain").asDouble();
      // the user answers: they prefer the first item on even steps
      boolean firstPreferred = k % 2 == 0;
      String first = q.body().get("first").asText();
      String second = q.body().get("second").asText();
      Http.Reply o =
          h.post(
              "/observe",
              Map.of(
                  "user",
                  "loop",
                  "pairs",
                  List.of(
                      Map.of(
                          "chosen",
                          firstPreferred ? first : second,
                          "rejected",
                          firstPreferred ? second : first))));
      assertEquals(200, o.status(), o::toString);
      engine.observe(pool, c, firstPreferred);
      int a = CANDIDATES[pool.first(c)];
      int b = CANDIDATES[pool.second(c)];
      answered.add(firstPreferred ? new int[] {a, b} : new int[] {b, a});
      asked.set(c);
      askedPairs.add(Map.of("first", second, "second", first)); // either order skips it
    }

    // exactly the engine's answer for the state the service holds: its projection of the
    // answered pairs, fitted in one batch
    float[] z = new float[4 * model.rank()];
    for (int k = 0; k < 4; k++) {
      service.projectRows(answered.get(k)[0], answered.get(k)[1], z, k * model.rank());
    }
    UserPosterior exact = new ColdStart(model, FitConfig.defaults(), 4).observeAll(z, 4);
    Http.Reply q = ask(h, "loop"); // no 'asked': any pair may come back
    assertSameQuestion(pool, exact, null, q);
    assertEquals(4, q.body().get("observed_pairs").asInt());
  }

  @Test
  void badRequestsAreRefusedNamingTheField() throws Exception {
    Http h = start(RewardService.Options.defaults(), Server.Limits.defaults().withMaxCandidates(6));
    Object[][] cases = {
      {Map.of("items", ids(0, 1)), 400, "user"},
      {Map.of("user", "u"), 400, "items"},
      {Map.of("user", "u", "items", ids(0, 1), "pairs", List.of()), 400, "items"},
      {Map.of("user", "u", "items", "0"), 400, "items"},
      {Map.of("user", "u", "items", List.of()), 400, "items"},
      {Map.of("user", "u", "items", ids(0)), 400, "items"},
      {Map.of("user", "u", "items", List.of(item(0), item(1), item(0))), 400, "items[2]"},
      {Map.of("user", "u", "items", List.of(item(0), "nope")), 400, "items[1]"},
      {Map.of("user", "u", "items", List.of(item(0), 3)), 400, "items[1]"},
      {Map.of("user", "u", "items", ids(0, 1, 2, 3, 4)), 413, "items"}, // 10 pairs > 6
      {Map.of("user", "u", "items", ids(0, 1, 2, 3, 4, 5, 6)), 413, "items"}, // 7 items > 6
      {Map.of("user", "u", "pairs", List.of(Map.of("first", item(0)))), 400, "pairs[0]"},
      {Map.of("user", "u", "pairs", List.of(List.of(item(0), item(1)))), 400, "pairs[0]"},
      {
        Map.of("user", "u", "pairs", List.of(Map.of("first", item(0), "second", item(0)))),
        400,
        "pairs[0]"
      },
      {
        Map.of("user", "u", "pairs", List.of(Map.of("first", item(0), "second", "nope"))),
        400,
        "pairs[0].second"
      },
      {
        Map.of(
            "user",
            "u",
            "pairs",
            java.util.Collections.nCopies(7, Map.of("first", item(0), "second", item(1)))),
        413,
        "pairs"
      },
      {
        Map.of(
            "user",
            "u",
            "items",
            ids(0, 1, 2),
            "asked",
            List.of(Map.of("first", "nope", "second", item(1)))),
        400,
        "asked[0].first"
      },
      {Map.of("user", "u", "items", ids(0, 1, 2), "asked", "all"), 400, "asked"},
      {
        Map.of(
            "user",
            "u",
            "items",
            ids(0, 1),
            "asked",
            List.of(Map.of("first", item(1), "second", item(0)))),
        409,
        "asked"
      },
      {Map.of("user", model.userId(0), "items", ids(0, 1)), 409, "user"},
    };
    for (Object[] c : cases) {
      Http.Reply r = h.post("/next-question", c[0]);
      assertEquals(c[1], r.status(), () -> c[0] + " -> " + r);
      assertEquals(c[2], r.field(), () -> c[0] + " -> " + r);
      assertTrue(r.body().get("error").asText().length() > 10, r::toString);
    }
    assertEquals(405, h.get("/next-question").status());
    Http.Reply ok =
        h.post(
            "/next-question",
            Map.of(
                "user",
                "u",
                "items",
                ids(0, 1, 2),
                "asked",
                List.of(
                    Map.of("first", item(1), "second", item(0)),
                    Map.of("first", item(5), "second", item(6)))));
    assertEquals(200, ok.status(), ok::toString);
    assertNotEquals(
        ids(item(0), item(1)),
        ids(ok.body().get("first").asText(), ok.body().get("second").asText()),
        "the asked pair is skipped: " + ok);
    assertEquals(0, h.get("/health").body().get("last_update").asLong(), "nothing was logged");
  }

  @Test
  void aTrainedUserIsAskedFromThePriorOnlyWhenObserveMayRefitThem() throws Exception {
    Http h =
        start(RewardService.Options.defaults().withReplaceTrained(true), Server.Limits.defaults());
    CandidatePool pool = CandidatePool.ofItems(model, rows(CANDIDATES), CANDIDATES.length);
    UserPosterior prior = new ColdStart(model, FitConfig.defaults(), 1).posterior();
    assertSameQuestion(pool, prior, null, ask(h, model.userId(0)));
  }

  @Test
  void aFitWithoutAPosteriorIsRefused() throws Exception {
    Http h =
        start(
            RewardService.Options.defaults()
                .withFit(FitConfig.defaults().withPrior(FitConfig.Prior.NONE)),
            Server.Limits.defaults());
    Http.Reply r = ask(h, "u");
    assertEquals(409, r.status(), r::toString);
    assertTrue(r.body().get("error").asText().contains("--prior model"), r::toString);
  }

  @Test
  void questionsReadAConsistentStateWhileUpdatesRun() throws Exception {
    Http h = start();
    int n = 8;
    int[][] answers = new int[n][];
    for (int k = 0; k < n; k++) {
      answers[k] = new int[] {(3 * k) % 9, 9};
    }
    // the posterior after each number of answers, as the service fits it
    CandidatePool pool = CandidatePool.ofItems(model, rows(CANDIDATES), CANDIDATES.length);
    int rank = model.rank();
    float[] z = new float[n * rank];
    List<UserPosterior> after = new ArrayList<>();
    after.add(new ColdStart(model, FitConfig.defaults(), 1).posterior());
    for (int k = 0; k < n; k++) {
      service.projectRows(answers[k][0], answers[k][1], z, k * rank);
      after.add(new ColdStart(model, FitConfig.defaults(), k + 1).observeAll(z, k + 1));
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> jobs = new ArrayList<>();
      jobs.add(
          threads.submit(
              () -> {
                for (int[] a : answers) {
                  Http.Reply r =
                      h.post(
                          "/observe",
                          Map.of(
                              "user",
                              "busy",
                              "pairs",
                              List.of(Map.of("chosen", item(a[0]), "rejected", item(a[1])))));
                  assertEquals(200, r.status(), r::toString);
                }
                return 0;
              }));
      for (int t = 0; t < 3; t++) {
        jobs.add(
            threads.submit(
                () -> {
                  int seen = -1;
                  for (int i = 0; i < 40; i++) {
                    Http.Reply r = ask(h, "busy");
                    int k = r.body().path("observed_pairs").asInt(-1);
                    assertTrue(k >= seen && k <= n, r::toString);
                    seen = k;
                    assertSameQuestion(pool, after.get(k), null, r);
                  }
                  return seen;
                }));
      }
      for (Future<Integer> f : jobs) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
    assertSameQuestion(pool, after.get(n), null, ask(h, "busy"));
  }
}
