package lore.cli.serve;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import lore.CandidatePool;
import lore.ColdStart;
import lore.FewShotFitter;
import lore.FitConfig;
import lore.PersonalReward;
import lore.RewardModel;
import lore.UserPosterior;
import lore.UserWeights;
import lore.datasets.ItemTable;
import lore.datasets.TextEmbedder;

/**
 * The state behind {@code lore serve}, without HTTP: a model, its items, and the users fitted from
 * pairs observed while serving, kept durable in a {@link StateDir}.
 *
 * <p>Scoring reads one volatile reference to an immutable {@link RewardModel} and takes no lock, so
 * it never waits on an update. Updates are serialized by one lock: fit the user from their observed
 * pairs ({@link FewShotFitter}, the model's prior), append the update to the log and force it to
 * disk, then publish the model with the user replaced ({@link RewardModel#withUser}, copy on
 * write). An update is acknowledged only after that, so a kill loses none that was.
 */
public final class RewardService implements Closeable {
  /**
   * Limits and policies of the service.
   *
   * @param maxUserPairs the most recent pairs of a user that a refit uses (older ones are dropped)
   * @param snapshotEvery log records after which the state is snapshotted and the log emptied
   * @param replaceTrained whether {@code /observe} may refit users the model file was trained with
   *     (their trained weights are then replaced by a fit from observed pairs only)
   * @param fit the few-shot configuration of refits
   */
  public record Options(
      int maxUserPairs, long snapshotEvery, boolean replaceTrained, FitConfig fit) {
    public Options {
      Objects.requireNonNull(fit, "fit");
      if (maxUserPairs < 1) {
        throw new IllegalArgumentException("--max-user-pairs must be >= 1, got " + maxUserPairs);
      }
      if (snapshotEvery < 1) {
        throw new IllegalArgumentException("--snapshot-every must be >= 1, got " + snapshotEvery);
      }
    }

    public static Options defaults() {
      return new Options(1000, 10_000, false, FitConfig.defaults());
    }

    public Options withMaxUserPairs(int n) {
      return new Options(n, snapshotEvery, replaceTrained, fit);
    }

    public Options withSnapshotEvery(long n) {
      return new Options(maxUserPairs, n, replaceTrained, fit);
    }

    public Options withReplaceTrained(boolean r) {
      return new Options(maxUserPairs, snapshotEvery, r, fit);
    }

    public Options withFit(FitConfig f) {
      return new Options(maxUserPairs, snapshotEvery, replaceTrained, f);
    }
  }

  /** The answer to an update: its log sequence number, the user's pair count and new weights. */
  public record Observed(long seq, long observed, float[] weights) {}

  /** A user as the service sees them. */
  public record User(String id, float[] weights, long observed, boolean trained) {}

  /** A user's posterior and the number of pairs observed for them (it conditions on the window). */
  record Posterior(UserPosterior posterior, long observed) {}

  private final RewardModel base;
  private final ItemTable items;
  private final Map<String, Integer> itemIndex;
  private final float[] basis;
  private final int dim;
  private final int rank;
  private final long fingerprint;
  private final Options options;
  private final StateDir state;
  private final UpdateLog log;
  private final ReentrantLock writer = new ReentrantLock();
  // written under the writer lock; read without it by posterior(), so that choosing a question
  // never waits on an update's fsync (a state is immutable once put)
  private final Map<String, StateDir.UserState> users;
  private final UserPosterior prior; // a new user's posterior; null when there is none
  private final String noPosterior; // why there is none
  private volatile long lastSeq; // written under the writer lock
  private boolean closed; // guarded by writer
  private volatile RewardModel current;

  private final Object embedLock = new Object();
  private final EmbedderFactory embedderFactory;
  private TextEmbedder embedder; // guarded by embedLock
  private ExecutorService embedPool; // guarded by embedLock

  /** Creates the text embedder of {@code /reward} on first use. */
  @FunctionalInterface
  public interface EmbedderFactory {
    TextEmbedder create(ExecutorService pool);
  }

  /**
   * Opens the state in {@code stateDir} (creating it), replays the snapshot and the log, and serves
   * {@code model} with the observed users on top.
   *
   * @throws IOException if the state is locked by another server, belongs to another model, or is
   *     damaged other than by a kill during a write
   */
  public RewardService(
      RewardModel model,
      ItemTable items,
      Path stateDir,
      Options options,
      EmbedderFactory embedderFactory)
      throws IOException {
    if (items.cols() != model.dim()) {
      throw new IllegalArgumentException(
          "items are " + items.rows() + " x " + items.cols() + ", the model's d is " + model.dim());
    }
    this.base = model;
    this.items = items;
    this.itemIndex = items.index();
    this.basis = model.basis();
    this.dim = model.dim();
    this.rank = model.rank();
    this.fingerprint = fingerprint(model);
    this.options = options;
    this.embedderFactory = embedderFactory;
    this.state = StateDir.open(stateDir);
    try {
      StateDir.Snapshot snap = state.readSnapshot(dim, rank, fingerprint);
      this.users = new ConcurrentHashMap<>(snap.users());
      this.lastSeq = snap.lastSeq();
      this.log =
          UpdateLog.open(
              state.log(),
              dim,
              rank,
              fingerprint,
              e -> {
                if (e.seq() > lastSeq) {
                  users.put(
                      e.user(), append(users.get(e.user()), e.projected(), e.k(), e.weights()));
                  lastSeq = e.seq();
                }
              });
      RewardModel m = model;
      for (Map.Entry<String, StateDir.UserState> e : users.entrySet()) {
        m = m.withUser(e.getKey(), new UserWeights(e.getValue().weights()));
      }
      this.current = m;
      UserPosterior p = null;
      String why = null;
      try {
        p = new ColdStart(model, options.fit(), 1).posterior();
      } catch (IllegalArgumentException e) { // another fit than Newton under the model's prior
        why = e.getMessage();
      }
      this.prior = p;
      this.noPosterior = why;
    } catch (IOException | RuntimeException e) {
      state.close();
      throw e;
    }
  }

  /** CRC32C of d, B, the logit scale and the basis: ties a state directory to its model. */
  static long fingerprint(RewardModel m) {
    float[] a = m.basis();
    ByteBuffer b = ByteBuffer.allocate(16 + 4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(m.dim()).putInt(m.rank()).putDouble(m.logitScale());
    b.asFloatBuffer().put(a);
    CRC32C crc = new CRC32C();
    crc.update(b.array());
    return crc.getValue();
  }

  /** The model served now (immutable). */
  public RewardModel model() {
    return current;
  }

  public ItemTable items() {
    return items;
  }

  public Options options() {
    return options;
  }

  /** Row of an item id, or -1. */
  int itemRow(String id) {
    return itemIndex.getOrDefault(id, -1);
  }

  /** The reward of a user of the current model; 404 for an unknown one. */
  PersonalReward reward(String user) {
    RewardModel m = current;
    if (!m.hasUser(user)) {
      throw new ApiException(
          404,
          "user",
          "unknown user '"
              + user
              + "' (the model has "
              + m.userCount()
              + " users; POST /observe fits a new one from pairs)");
    }
    return m.reward(user);
  }

  /** Rewards of items by row for {@code user}. Allocation: the result. */
  float[] scoreRows(String user, int[] rows) {
    PersonalReward r = reward(user);
    float[] data = items.matrix().data();
    float[] out = new float[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = r.score(data, rows[i] * dim);
    }
    return out;
  }

  /** Rewards of {@code n} embeddings (n x d) for {@code user}. */
  float[] scoreEmbeddings(String user, float[] embeddings, int n) {
    PersonalReward r = reward(user);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.score(embeddings, i * dim);
    }
    return out;
  }

  /** {@code A (e_c - e_r)} of items by row into {@code out[at .. at + B)}. */
  void projectRows(int chosen, int rejected, float[] out, int at) {
    float[] data = items.matrix().data();
    for (int b = 0; b < rank; b++) {
      double s = 0;
      for (int j = 0; j < dim; j++) {
        s += basis[b * dim + j] * (data[chosen * dim + j] - data[rejected * dim + j]);
      }
      out[at + b] = (float) s;
    }
  }

  /** {@code A (c - r)} of two embeddings into {@code out[at .. at + B)}. */
  void projectEmbeddings(float[] chosen, float[] rejected, float[] out, int at) {
    for (int b = 0; b < rank; b++) {
      double s = 0;
      for (int j = 0; j < dim; j++) {
        s += basis[b * dim + j] * (chosen[j] - rejected[j]);
      }
      out[at + b] = (float) s;
    }
  }

  /**
   * Adds {@code k} projected pairs to {@code user}, refits them from their most recent {@link
   * Options#maxUserPairs} pairs under the model's prior, logs the update durably and publishes it.
   * Blocking I/O (one fsync); serialized with other updates, never with scoring.
   *
   * @throws ApiException 409 for a user the model was trained with (unless {@link
   *     Options#replaceTrained}), 503 after {@link #close}
   * @throws IOException if the log cannot be written; nothing is published then
   */
  public Observed observe(String user, float[] projected, int k) throws IOException {
    if (k < 1 || projected.length < k * rank) {
      throw new IllegalArgumentException(k + " pairs need " + k * rank + " projected values");
    }
    writer.lock();
    try {
      if (closed) {
        throw new ApiException(503, null, "the server is shutting down");
      }
      StateDir.UserState prev = users.get(user);
      if (prev == null && base.hasUser(user) && !options.replaceTrained()) {
        throw new ApiException(
            409,
            "user",
            "user '"
                + user
                + "' was trained with the model: its weights come from training, and a refit from"
                + " observed pairs alone would replace them (start the server with --replace to"
                + " allow it)");
      }
      StateDir.UserState next = append(prev, projected, k, null);
      float[] w = new float[rank];
      // a fitter belongs to one thread and requests run on short-lived virtual threads: one per
      // update (its workspace is maxUserPairs x B floats, small next to the fsync)
      base.fewShotFitter(options.fit(), next.k()).fitProjected(next.projected(), next.k(), w);
      UserWeights weights = new UserWeights(w); // checks the simplex before anything is written
      long seq = lastSeq + 1;
      log.append(new UpdateLog.Entry(seq, user, projected, k, w));
      lastSeq = seq;
      users.put(user, new StateDir.UserState(next.observed(), next.projected(), next.k(), w));
      current = current.withUser(user, weights);
      if (log.records() >= options.snapshotEvery()) {
        snapshot();
      }
      return new Observed(seq, next.observed(), w.clone());
    } finally {
      writer.unlock();
    }
  }

  /** {@code prev} with k more pairs, keeping the most recent maxUserPairs; weights as given. */
  private StateDir.UserState append(
      StateDir.UserState prev, float[] projected, int k, float[] weights) {
    int had = prev == null ? 0 : prev.k();
    long observed = (prev == null ? 0 : prev.observed()) + k;
    int keep = Math.min(options.maxUserPairs(), had + k);
    float[] window = new float[keep * rank];
    int fromNew = Math.min(k, keep);
    int fromOld = keep - fromNew;
    if (fromOld > 0) {
      System.arraycopy(prev.projected(), (had - fromOld) * rank, window, 0, fromOld * rank);
    }
    System.arraycopy(projected, (k - fromNew) * rank, window, fromOld * rank, fromNew * rank);
    return new StateDir.UserState(observed, window, keep, weights);
  }

  /** Writes the snapshot and empties the log. Caller holds the writer lock. */
  private void snapshot() throws IOException {
    state.writeSnapshot(dim, rank, fingerprint, new StateDir.Snapshot(lastSeq, users));
    log.reset();
  }

  /** A user of the current model; 404 for an unknown one. */
  public User user(String id) {
    PersonalReward r = reward(id);
    long observed;
    writer.lock();
    try {
      StateDir.UserState s = users.get(id);
      observed = s == null ? 0 : s.observed();
    } finally {
      writer.unlock();
    }
    return new User(id, r.weights().weights(), observed, base.hasUser(id));
  }

  /** The log sequence number of the last acknowledged update. */
  public long lastSeq() {
    return lastSeq;
  }

  /**
   * Embeds texts with the service's text embedder (created on first use; one call at a time).
   *
   * @throws ApiException 409 when the model's d is not the embedder's
   */
  float[] embed(List<String> texts) {
    synchronized (embedLock) {
      if (embedder == null) {
        embedPool = lore.cli.Pools.fixed(Runtime.getRuntime().availableProcessors(), "lore-embed");
        embedder = embedderFactory.create(embedPool);
      }
      if (embedder.dim() != dim) {
        throw new ApiException(
            409,
            null,
            "the model's embedding dim is "
                + dim
                + ", but "
                + embedder.name()
                + " embeds texts in "
                + embedder.dim()
                + ": /reward needs a model trained on "
                + embedder.name()
                + " embeddings");
      }
      float[] out = new float[texts.size() * dim];
      embedder.embed(texts, out, 0);
      return out;
    }
  }

  /**
   * The posterior of {@code user}'s weights that their next {@link #observe} refits from: the
   * model's prior for a user with no observed pairs, else the Laplace posterior of the same fit
   * {@link #observe} made from their most recent pairs (so its mean is the weights served). Takes
   * no lock; O(k B^2) for k pairs plus the fit, on the caller's thread.
   *
   * @throws ApiException 409 for a user the model was trained with (unless {@link
   *     Options#replaceTrained}: /observe would refuse their answers), or when the service's fit
   *     has no posterior (another fit than Newton under the model's prior, or a model that recorded
   *     no prior)
   */
  Posterior posterior(String user) {
    if (prior == null) {
      throw new ApiException(
          409,
          null,
          "no posterior of users' weights to choose questions with: "
              + noPosterior
              + " (start lore serve with --prior model and a model trained by lore train)");
    }
    StateDir.UserState s = users.get(user);
    if (s == null) {
      if (base.hasUser(user) && !options.replaceTrained()) {
        throw new ApiException(
            409,
            "user",
            "user '"
                + user
                + "' was trained with the model: its weights have no posterior, and /observe"
                + " refuses its answers (start the server with --replace to refit it from answers"
                + " alone, starting from the prior)");
      }
      return new Posterior(prior, 0);
    }
    // a ColdStart belongs to one thread: one per request, sized for this user's window
    ColdStart c = new ColdStart(base, options.fit(), s.k());
    return new Posterior(c.observeAll(s.projected(), s.k()), s.observed());
  }

  /**
   * The candidate pairs {@code (first[c], second[c])} of item rows, projected onto the basis: the
   * distinct items are gathered first, so that a request costs O(items B d), not O(table B d).
   */
  CandidatePool pool(int[] first, int[] second) {
    Map<Integer, Integer> at = new java.util.HashMap<>();
    int[] a = new int[first.length];
    int[] b = new int[second.length];
    for (int c = 0; c < first.length; c++) {
      a[c] = compact(at, first[c]);
      b[c] = compact(at, second[c]);
    }
    float[] data = items.matrix().data();
    float[] gathered = new float[at.size() * dim];
    for (Map.Entry<Integer, Integer> e : at.entrySet()) {
      System.arraycopy(data, e.getKey() * dim, gathered, e.getValue() * dim, dim);
    }
    return CandidatePool.ofPairs(base, gathered, at.size(), a, b);
  }

  private static int compact(Map<Integer, Integer> at, int row) {
    Integer i = at.get(row);
    if (i == null) {
      i = at.size();
      at.put(row, i);
    }
    return i;
  }

  /**
   * Every pair of the item rows {@code rows} (distinct), in {@link CandidatePool#ofItems} order.
   */
  CandidatePool poolOfItems(int[] rows) {
    float[] data = items.matrix().data();
    float[] gathered = new float[rows.length * dim];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(data, rows[i] * dim, gathered, i * dim, dim);
    }
    return CandidatePool.ofItems(base, gathered, rows.length);
  }

  /** Snapshots the state if the log has records, and releases it. Idempotent. */
  @Override
  public void close() throws IOException {
    writer.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (log.records() > 0) {
          snapshot();
        }
      } finally {
        try {
          log.close();
        } finally {
          state.close();
        }
      }
    } finally {
      writer.unlock();
      synchronized (embedLock) {
        if (embedPool != null) {
          embedPool.shutdownNow();
        }
      }
    }
  }
}
