package lore.cli.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import lore.CandidatePool;
import lore.PersonalReward;
import lore.Trainer;

/**
 * The HTTP/JSON face of a {@link RewardService} on the JDK's built-in server ({@code
 * com.sun.net.httpserver}): no dependency, and its thread-per-request model on a fixed pool suits a
 * service whose requests are microseconds of arithmetic plus, for updates, one fsync.
 *
 * <p>Every refusal is a 4xx with {@code {"error": "...", "field": "..."}} naming the request field
 * at fault; a refused request changes nothing.
 */
public final class Server implements Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Limits of one request.
   *
   * @param maxBody bytes of a request body
   * @param maxCandidates items, embeddings, texts or pairs in one request
   * @param defaultUser the user of {@code /reward} requests that name none (null: they must)
   */
  public record Limits(int maxBody, int maxCandidates, String defaultUser) {
    public Limits {
      if (maxBody < 1024) {
        throw new IllegalArgumentException("--max-body must be >= 1024 bytes, got " + maxBody);
      }
      if (maxCandidates < 1) {
        throw new IllegalArgumentException("--max-candidates must be >= 1, got " + maxCandidates);
      }
    }

    public static Limits defaults() {
      return new Limits(16 << 20, 1024, null);
    }

    public Limits withMaxBody(int n) {
      return new Limits(n, maxCandidates, defaultUser);
    }

    public Limits withMaxCandidates(int n) {
      return new Limits(maxBody, n, defaultUser);
    }

    public Limits withDefaultUser(String user) {
      return new Limits(maxBody, maxCandidates, user);
    }
  }

  private final RewardService service;
  private final Limits limits;
  private final HttpServer http;
  private final ExecutorService pool;
  private final PrintWriter err;

  /**
   * Binds {@code host:port} (port 0 picks a free one, see {@link #port}) and starts serving, one
   * virtual thread per request: a request waiting on an update's fsync holds no platform thread, so
   * scoring requests never queue behind updates.
   */
  public Server(RewardService service, Limits limits, String host, int port, PrintWriter err)
      throws IOException {
    this.service = service;
    this.limits = limits;
    this.err = err;
    this.http = HttpServer.create(new InetSocketAddress(host, port), 256);
    this.pool = Executors.newVirtualThreadPerTaskExecutor();
    http.setExecutor(pool);
    http.createContext("/", this::handle);
    http.start();
  }

  /** The bound port. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** Stops accepting, lets requests in flight finish (up to 2 s), then closes the service. */
  @Override
  public void close() throws IOException {
    http.stop(2);
    pool.shutdown();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    service.close();
  }

  private void handle(HttpExchange ex) throws IOException {
    int status = 200;
    byte[] body;
    try {
      body = JSON.writeValueAsBytes(route(ex));
    } catch (ApiException e) {
      status = e.status();
      body = error(e.getMessage(), e.field());
    } catch (Exception | StackOverflowError e) {
      status = 500;
      body = error("internal error: " + e, null);
      synchronized (err) {
        err.println("lore serve: internal error on " + ex.getRequestURI());
        e.printStackTrace(err);
        err.flush();
      }
    }
    try {
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    } finally {
      ex.close();
    }
  }

  private static byte[] error(String message, String field) {
    ObjectNode e = JSON.createObjectNode();
    e.put("error", message);
    if (field != null) {
      e.put("field", field);
    }
    try {
      return JSON.writeValueAsBytes(e);
    } catch (JsonProcessingException never) {
      throw new IllegalStateException(never);
    }
  }

  private ObjectNode route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod();
    if (path.startsWith("/users/")) {
      requireMethod(method, "GET", path);
      // the decoded path: %XX escapes, and '+' stays a plus (it is a space only in queries)
      String id = ex.getRequestURI().getPath().substring("/users/".length());
      return user(id);
    }
    switch (path) {
      case "/health" -> {
        requireMethod(method, "GET", path);
        return health();
      }
      case "/score" -> {
        requireMethod(method, "POST", path);
        return score(read(ex), false);
      }
      case "/rerank" -> {
        requireMethod(method, "POST", path);
        return score(read(ex), true);
      }
      case "/observe" -> {
        requireMethod(method, "POST", path);
        return observe(read(ex));
      }
      case "/reward" -> {
        requireMethod(method, "POST", path);
        return reward(read(ex));
      }
      case "/next-question" -> {
        requireMethod(method, "POST", path);
        return nextQuestion(read(ex));
      }
      default ->
          throw new ApiException(
              404,
              null,
              "no endpoint "
                  + path
                  + " (GET /health, /users/ID; POST /score, /rerank, /observe, /reward,"
                  + " /next-question)");
    }
  }

  private static void requireMethod(String method, String want, String path) {
    if (!method.equals(want)) {
      throw new ApiException(405, null, path + " takes " + want + ", not " + method);
    }
  }

  /** The request body as JSON, refused past the body limit without reading it all. */
  private JsonNode read(HttpExchange ex) throws IOException {
    String declared = ex.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long n;
      try {
        n = Long.parseLong(declared.strip());
      } catch (NumberFormatException e) {
        throw ApiException.bad("body", "Content-Length '" + declared + "' is not a number");
      }
      if (n > limits.maxBody()) {
        throw tooLarge(n);
      }
    }
    byte[] bytes;
    try (InputStream in = ex.getRequestBody()) {
      bytes = in.readNBytes(limits.maxBody() + 1);
    }
    if (bytes.length > limits.maxBody()) {
      throw tooLarge(bytes.length);
    }
    if (bytes.length == 0) {
      throw ApiException.bad("body", "the request body is empty; send a JSON object");
    }
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.bad("body", "malformed JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiException.bad("body", "the request body must be a JSON object");
    }
    return root;
  }

  private ApiException tooLarge(long n) {
    return new ApiException(
        413,
        "body",
        "request body of "
            + n
            + " bytes exceeds the limit of "
            + limits.maxBody()
            + " (--max-body)");
  }

  private ObjectNode health() {
    var m = service.model();
    ObjectNode o = JSON.createObjectNode();
    o.put("status", "ok");
    o.put("d", m.dim());
    o.put("B", m.rank());
    o.put("users", m.userCount());
    o.put("items", service.items().rows());
    o.put("kernels", Trainer.kernelsName());
    o.put("last_update", service.lastSeq());
    return o;
  }

  private ObjectNode user(String id) {
    RewardService.User u = service.user(id);
    ObjectNode o = JSON.createObjectNode();
    o.put("user", u.id());
    putFloats(o.putArray("weights"), u.weights(), u.weights().length);
    o.put("observed_pairs", u.observed());
    o.put("trained", u.trained());
    return o;
  }

  private static String userOf(JsonNode root, String fallback) {
    JsonNode u = root.get("user");
    if (u == null || u.isNull()) {
      if (fallback != null) {
        return fallback;
      }
      throw ApiException.bad("user", "field 'user' is required: the user id to score for");
    }
    if (!u.isTextual() || u.asText().isEmpty()) {
      throw ApiException.bad("user", "field 'user' must be a non-empty string, got " + u);
    }
    if (u.asText().length() > 1024) {
      throw ApiException.bad("user", "field 'user' is longer than 1024 characters");
    }
    return u.asText();
  }

  /** The array field {@code name}: present, an array, 1..maxCandidates entries. */
  private ArrayNode list(JsonNode root, String name) {
    JsonNode a = root.get(name);
    if (a == null || !a.isArray()) {
      throw ApiException.bad(name, "field '" + name + "' must be an array, got " + a);
    }
    if (a.isEmpty()) {
      throw ApiException.bad(name, "field '" + name + "' is empty");
    }
    if (a.size() > limits.maxCandidates()) {
      throw new ApiException(
          413,
          name,
          "field '"
              + name
              + "' has "
              + a.size()
              + " entries, more than the limit of "
              + limits.maxCandidates()
              + " (--max-candidates)");
    }
    return (ArrayNode) a;
  }

  private int itemRow(JsonNode n, String field) {
    if (!n.isTextual()) {
      throw ApiException.bad(field, field + " must be an item id (a string), got " + n);
    }
    int row = service.itemRow(n.asText());
    if (row < 0) {
      throw ApiException.bad(
          field,
          field + ": unknown item '" + abbreviate(n.asText()) + "' (not in the --items table)");
    }
    return row;
  }

  /** One embedding of length d, every entry a finite number, into {@code out[at ..)}. */
  private void embedding(JsonNode n, String field, float[] out, int at) {
    int d = service.model().dim();
    if (!n.isArray() || n.size() != d) {
      throw ApiException.bad(
          field,
          field
              + " must be an array of d = "
              + d
              + " numbers, got "
              + (n.isArray() ? n.size() + " entries" : n.getNodeType().toString().toLowerCase()));
    }
    for (int j = 0; j < d; j++) {
      JsonNode v = n.get(j);
      float f = v.isNumber() ? v.floatValue() : Float.NaN;
      if (!Float.isFinite(f)) {
        throw ApiException.bad(
            field + "[" + j + "]", field + "[" + j + "] is not a finite float: " + v);
      }
      out[at + j] = f;
    }
  }

  private ObjectNode score(JsonNode root, boolean rerank) {
    String user = userOf(root, null);
    boolean byItems = root.has("items");
    if (byItems == root.has("embeddings")) {
      throw ApiException.bad(
          "items", "give exactly one of 'items' (item ids) and 'embeddings' (arrays of d numbers)");
    }
    float[] scores;
    String[] ids = null;
    if (byItems) {
      ArrayNode a = list(root, "items");
      int[] rows = new int[a.size()];
      ids = new String[a.size()];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = itemRow(a.get(i), "items[" + i + "]");
        ids[i] = a.get(i).asText();
      }
      scores = service.scoreRows(user, rows);
    } else {
      ArrayNode a = list(root, "embeddings");
      int d = service.model().dim();
      float[] e = new float[a.size() * d];
      for (int i = 0; i < a.size(); i++) {
        embedding(a.get(i), "embeddings[" + i + "]", e, i * d);
      }
      scores = service.scoreEmbeddings(user, e, a.size());
    }
    ObjectNode o = JSON.createObjectNode();
    if (!rerank) {
      putFloats(o.putArray("scores"), scores, scores.length);
      return o;
    }
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (x, y) -> Float.compare(scores[y], scores[x])); // stable: ties keep order
    ArrayNode outIds = o.putArray("ids");
    ArrayNode outScores = o.putArray("scores");
    for (int i : order) {
      if (ids != null) {
        outIds.add(ids[i]);
      } else {
        outIds.add(i);
      }
      outScores.add(scores[i]);
    }
    return o;
  }

  private ObjectNode observe(JsonNode root) throws IOException {
    String user = userOf(root, null);
    ArrayNode pairs = list(root, "pairs");
    int rank = service.model().rank();
    int d = service.model().dim();
    float[] projected = new float[pairs.size() * rank];
    float[] c = new float[d];
    float[] r = new float[d];
    for (int i = 0; i < pairs.size(); i++) {
      String f = "pairs[" + i + "]";
      JsonNode p = pairs.get(i);
      if (!p.isObject() || !p.has("chosen") || !p.has("rejected")) {
        throw ApiException.bad(
            f,
            f
                + " must be an object {\"chosen\": ..., \"rejected\": ...} of item ids or"
                + " embeddings");
      }
      JsonNode pc = p.get("chosen");
      JsonNode pr = p.get("rejected");
      if (pc.isTextual() || pr.isTextual()) {
        int rc = itemRow(pc, f + ".chosen");
        int rr = itemRow(pr, f + ".rejected");
        if (rc == rr) {
          throw ApiException.bad(
              f, f + ": chosen and rejected are the same item '" + pc.asText() + "'");
        }
        service.projectRows(rc, rr, projected, i * rank);
      } else {
        embedding(pc, f + ".chosen", c, 0);
        embedding(pr, f + ".rejected", r, 0);
        service.projectEmbeddings(c, r, projected, i * rank);
      }
    }
    for (float v : projected) {
      if (!Float.isFinite(v)) {
        throw ApiException.bad("pairs", "a pair's projection onto the basis overflows");
      }
    }
    RewardService.Observed ob = service.observe(user, projected, pairs.size());
    ObjectNode o = JSON.createObjectNode();
    o.put("user", user);
    o.put("observed_pairs", ob.observed());
    putFloats(o.putArray("weights"), ob.weights(), ob.weights().length);
    o.put("update", ob.seq());
    return o;
  }

  private ObjectNode reward(JsonNode root) {
    String user = userOf(root, limits.defaultUser());
    PersonalReward r = service.reward(user); // 404 before the embedder is loaded
    ArrayNode q = list(root, "query");
    List<String> texts = new ArrayList<>(q.size());
    for (int i = 0; i < q.size(); i++) {
      if (!q.get(i).isTextual()) {
        throw ApiException.bad(
            "query[" + i + "]",
            "query["
                + i
                + "] must be a string, got "
                + q.get(i).getNodeType().toString().toLowerCase());
      }
      if (q.get(i).asText().isBlank()) { // the embedding library refuses blank text
        throw ApiException.bad(
            "query[" + i + "]", "query[" + i + "] is blank: there is no text to embed");
      }
      texts.add(q.get(i).asText());
    }
    float[] e = service.embed(texts);
    float[] rewards = new float[texts.size()];
    for (int i = 0; i < rewards.length; i++) {
      rewards[i] = r.score(e, i * r.dim());
    }
    ObjectNode o = JSON.createObjectNode();
    putFloats(o.putArray("rewards"), rewards, rewards.length);
    return o;
  }

  /**
   * The pair to ask {@code user} next among candidate pairs of items (every pair of {@code items},
   * or the {@code pairs} given), by expected information gain under the user's current posterior
   * ({@link CandidatePool#mostInformative}); {@code asked} pairs (either order) are skipped. Keeps
   * no state: the answer is an ordinary {@code /observe}. Candidates are pairs, at most
   * --max-candidates of them.
   */
  private ObjectNode nextQuestion(JsonNode root) {
    String user = userOf(root, null);
    boolean byItems = root.has("items");
    if (byItems == root.has("pairs")) {
      throw ApiException.bad(
          "items",
          "give exactly one of 'items' (item ids: every pair of them is a candidate) and 'pairs'"
              + " ([{\"first\": X, \"second\": Y}, ...] of item ids)");
    }
    int[] rows;
    int[] first;
    int[] second;
    String[] ids;
    if (byItems) {
      ArrayNode a = list(root, "items");
      rows = new int[a.size()];
      ids = new String[a.size()];
      Map<Integer, Integer> seen = new HashMap<>();
      for (int i = 0; i < rows.length; i++) {
        String f = "items[" + i + "]";
        rows[i] = itemRow(a.get(i), f);
        ids[i] = a.get(i).asText();
        Integer before = seen.putIfAbsent(rows[i], i);
        if (before != null) {
          throw ApiException.bad(
              f, f + ": item '" + abbreviate(ids[i]) + "' is also items[" + before + "]");
        }
      }
      if (rows.length < 2) {
        throw ApiException.bad("items", "field 'items' needs at least 2 items to make a pair");
      }
      long pairs = (long) rows.length * (rows.length - 1) / 2;
      if (pairs > limits.maxCandidates()) {
        throw new ApiException(
            413,
            "items",
            "field 'items' has "
                + rows.length
                + " items, which make "
                + pairs
                + " candidate pairs, more than the limit of "
                + limits.maxCandidates()
                + " (--max-candidates)");
      }
      first = new int[(int) pairs];
      second = new int[(int) pairs];
      int c = 0;
      for (int i = 0; i < rows.length; i++) { // CandidatePool.ofItems's order
        for (int j = i + 1; j < rows.length; j++, c++) {
          first[c] = i;
          second[c] = j;
        }
      }
    } else {
      ArrayNode a = list(root, "pairs");
      first = new int[a.size()];
      second = new int[a.size()];
      rows = new int[2 * a.size()];
      ids = new String[2 * a.size()];
      for (int i = 0; i < a.size(); i++) {
        int[] p = pairOf(a.get(i), "pairs[" + i + "]");
        rows[2 * i] = p[0];
        rows[2 * i + 1] = p[1];
        ids[2 * i] = a.get(i).get("first").asText();
        ids[2 * i + 1] = a.get(i).get("second").asText();
        first[i] = 2 * i;
        second[i] = 2 * i + 1;
      }
    }
    BitSet asked = null;
    JsonNode askedNode = root.get("asked");
    if (askedNode != null && !(askedNode.isArray() && askedNode.isEmpty())) { // [] asks nothing
      // candidates by their unordered pair of item rows
      Map<Long, List<Integer>> byRows = new HashMap<>();
      for (int c = 0; c < first.length; c++) {
        byRows.computeIfAbsent(key(rows[first[c]], rows[second[c]]), k -> new ArrayList<>()).add(c);
      }
      ArrayNode a = list(root, "asked");
      asked = new BitSet(first.length);
      for (int i = 0; i < a.size(); i++) {
        int[] p = pairOf(a.get(i), "asked[" + i + "]");
        for (int c : byRows.getOrDefault(key(p[0], p[1]), List.of())) {
          asked.set(c);
        }
      }
      if (asked.cardinality() == first.length) {
        throw new ApiException(409, "asked", "every candidate pair was asked already");
      }
    }
    RewardService.Posterior post = service.posterior(user);
    CandidatePool pool;
    if (byItems) {
      pool = service.poolOfItems(rows);
    } else {
      int[] a = new int[first.length];
      int[] b = new int[first.length];
      for (int c = 0; c < a.length; c++) {
        a[c] = rows[first[c]];
        b[c] = rows[second[c]];
      }
      pool = service.pool(a, b);
    }
    int best = pool.mostInformative(post.posterior(), asked);
    ObjectNode o = JSON.createObjectNode();
    o.put("user", user);
    o.put("first", ids[first[best]]);
    o.put("second", ids[second[best]]);
    o.put("candidate", best);
    o.put("information_gain", pool.informationGain(post.posterior(), best));
    o.put("probability_first", pool.preferenceProbability(post.posterior(), best));
    o.put("observed_pairs", post.observed());
    return o;
  }

  /** Item rows of {@code {"first": X, "second": Y}}, two different item ids. */
  private int[] pairOf(JsonNode p, String f) {
    if (!p.isObject() || !p.has("first") || !p.has("second")) {
      throw ApiException.bad(f, f + " must be an object {\"first\": X, \"second\": Y} of item ids");
    }
    int a = itemRow(p.get("first"), f + ".first");
    int b = itemRow(p.get("second"), f + ".second");
    if (a == b) {
      throw ApiException.bad(
          f,
          f + ": first and second are the same item '" + abbreviate(p.get("first").asText()) + "'");
    }
    return new int[] {a, b};
  }

  private static long key(int a, int b) {
    return ((long) Math.min(a, b) << 32) | Math.max(a, b);
  }

  private static void putFloats(ArrayNode a, float[] v, int n) {
    for (int i = 0; i < n; i++) {
      a.add(v[i]);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
