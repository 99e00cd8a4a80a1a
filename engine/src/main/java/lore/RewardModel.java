package lore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;

/**
 * A trained LoRe model: the reward basis {@code A} (B x d) and the weights of the seen users on the
 * probability simplex. User i's reward is {@code r_i(e) = w_i^T A e}.
 *
 * <p>Immutable and thread-safe. Each seen user's {@link PersonalReward} ({@code u_i = A^T w_i}) is
 * computed when the model is built, so scoring never computes or allocates. {@link #withUser}
 * returns a new model (copy on write); readers of this one are unaffected.
 */
public final class RewardModel {
  private final int dim;
  private final int rank;
  private final float[] basis;
  private final double logitScale;
  private final String[] userIds;
  private final float[] userWeights; // users x rank
  private final PersonalReward[] rewards;
  private final HashMap<String, Integer> userIndex;
  private final Map<String, String> metadata;
  private final Kernels kernels;

  RewardModel(
      int dim,
      int rank,
      float[] basis,
      double logitScale,
      String[] userIds,
      float[] userWeights,
      Map<String, String> metadata) {
    this(
        dim,
        rank,
        checkBasis(basis, rank, dim),
        logitScale,
        userIds,
        userWeights,
        metadata,
        new PersonalReward[userIds.length]);
  }

  /**
   * @param rewards per user: the cached reward of a user this model shares with another one, or
   *     null for the ones to compute here (only those cost O(B d))
   */
  private RewardModel(
      int dim,
      int rank,
      float[] basis,
      double logitScale,
      String[] userIds,
      float[] userWeights,
      Map<String, String> metadata,
      PersonalReward[] rewards) {
    if (userWeights.length != userIds.length * rank) {
      throw new IllegalArgumentException(
          "user weights have "
              + userWeights.length
              + " floats, expected "
              + userIds.length
              + " x "
              + rank);
    }
    TrainConfig.checkLogitScale(logitScale);
    this.dim = dim;
    this.rank = rank;
    this.basis = basis;
    this.logitScale = logitScale;
    this.userIds = userIds;
    this.userWeights = userWeights;
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.kernels = KernelProvider.get();
    this.userIndex = HashMap.newHashMap(userIds.length);
    this.rewards = rewards;
    for (int u = 0; u < userIds.length; u++) {
      if (userIndex.put(userIds[u], u) != null) {
        throw new IllegalArgumentException("duplicate user id " + userIds[u]);
      }
      if (rewards[u] == null) {
        UserWeights w = new UserWeights(Arrays.copyOfRange(userWeights, u * rank, (u + 1) * rank));
        rewards[u] = personalize(w);
      }
    }
  }

  private static float[] checkBasis(float[] basis, int rank, int dim) {
    if (rank < 1 || dim < 1 || rank > dim) {
      throw new IllegalArgumentException("rank " + rank + " must be in [1, dim " + dim + "]");
    }
    if (basis.length != rank * dim) {
      throw new IllegalArgumentException(
          "basis has " + basis.length + " floats, expected " + rank + " x " + dim);
    }
    for (int i = 0; i < basis.length; i++) {
      if (!Float.isFinite(basis[i])) {
        throw new IllegalArgumentException(
            "basis row " + (i / dim) + " column " + (i % dim) + " is " + basis[i]);
      }
    }
    return basis;
  }

  /**
   * A model from a basis trained elsewhere, with no seen users (new users are added with {@link
   * #withFittedUsers} or {@link #withUser}). The array is copied. Allocates O(B d).
   *
   * @param basis B x d row-major, every value finite
   * @throws IllegalArgumentException on a shape mismatch, a non-finite value, rank outside [1, d]
   *     or a logit scale outside [{@link TrainConfig#MIN_LOGIT_SCALE}, {@link
   *     TrainConfig#MAX_LOGIT_SCALE}]
   */
  public static RewardModel fromBasis(float[] basis, int rank, int dim, double logitScale) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "lore-model");
    meta.put("rank", Integer.toString(rank));
    meta.put("logitScale", Double.toString(logitScale));
    meta.put("origin", "fromBasis");
    return new RewardModel(dim, rank, basis.clone(), logitScale, new String[0], new float[0], meta);
  }

  /** Embedding dimension d. */
  public int dim() {
    return dim;
  }

  /** Rank B: the number of basis rewards. */
  public int rank() {
    return rank;
  }

  /** The logit scale s used in training and in {@link PersonalReward#preferenceProbability}. */
  public double logitScale() {
    return logitScale;
  }

  /** A copy of the basis A, B x d row-major. Allocates O(B d). */
  public float[] basis() {
    return basis.clone();
  }

  /** Number of seen users. */
  public int userCount() {
    return userIds.length;
  }

  /** Id of seen user i, in training order. */
  public String userId(int i) {
    return userIds[i];
  }

  /** Whether {@code userId} is a seen user of this model. */
  public boolean hasUser(String userId) {
    return userIndex.containsKey(userId);
  }

  /**
   * The weights of a seen user.
   *
   * @throws IllegalArgumentException for an unknown user id
   */
  public UserWeights weights(String userId) {
    return reward(userId).weights();
  }

  /**
   * Row of a seen user in the weights table.
   *
   * @throws IllegalArgumentException for an unknown user id
   */
  int userSlot(String userId) {
    Integer u = userIndex.get(userId);
    if (u == null) {
      throw new IllegalArgumentException(
          "unknown user " + userId + " (the model has " + userIds.length + " seen users)");
    }
    return u;
  }

  /**
   * The cached reward function of a seen user. Allocates nothing.
   *
   * @throws IllegalArgumentException for an unknown user id
   */
  public PersonalReward reward(String userId) {
    return rewards[userSlot(userId)];
  }

  /**
   * The reward function for arbitrary weights, e.g. a new user's from {@link FewShotFitter}.
   * Allocates O(d).
   *
   * @throws IllegalArgumentException if the weights' rank is not this model's
   */
  public PersonalReward personalize(UserWeights weights) {
    if (weights.rank() != rank) {
      throw new IllegalArgumentException(
          "weights of rank " + weights.rank() + " != model rank " + rank);
    }
    float[] u = new float[dim];
    for (int b = 0; b < rank; b++) {
      kernels.axpy(weights.get(b), basis, b * dim, u, 0, dim);
    }
    return new PersonalReward(u, weights, logitScale, kernels);
  }

  /**
   * Reward of one embedding for a seen user: {@code w_i^T A e}. Allocates nothing.
   *
   * @throws IllegalArgumentException for an unknown user or a dimension mismatch
   */
  public float score(String userId, float[] embedding) {
    return reward(userId).score(embedding);
  }

  /**
   * A few-shot fitter for new users with this model's basis frozen (paper Eq. 11). The fitter owns
   * its workspace, is not thread-safe, and is meant to be reused: one per thread.
   *
   * @param maxPairs the largest number of pairs fitted at once; the workspace is sized for it
   */
  public FewShotFitter fewShotFitter(FitConfig config, int maxPairs) {
    return new FewShotFitter(this, config, maxPairs);
  }

  /**
   * A new model with {@code userId}'s weights added or replaced; this model is unchanged. Only this
   * user's direction {@code A^T w} is computed: O(B d) work, O(users) copying.
   */
  public RewardModel withUser(String userId, UserWeights weights) {
    if (userId == null || userId.isEmpty()) {
      throw new IllegalArgumentException("user id must be non-empty");
    }
    if (weights.rank() != rank) {
      throw new IllegalArgumentException(
          "weights of rank " + weights.rank() + " != model rank " + rank);
    }
    Integer known = userIndex.get(userId);
    int at = known != null ? known : userIds.length;
    String[] ids = known != null ? userIds : Arrays.copyOf(userIds, userIds.length + 1);
    ids[at] = userId;
    float[] w = Arrays.copyOf(userWeights, ids.length * rank);
    for (int b = 0; b < rank; b++) {
      w[at * rank + b] = weights.get(b);
    }
    PersonalReward[] r = Arrays.copyOf(rewards, ids.length);
    r[at] = null; // the one direction computed again
    return new RewardModel(dim, rank, basis, logitScale, ids, w, metadata, r);
  }

  /**
   * A new model with every user of {@code fewShot} fitted from their pairs (paper Eq. 11, basis
   * frozen) and added (or replaced); this model is unchanged. Referenced items are projected once.
   * Allocates O(items x B + users x B + fitted users x d).
   *
   * @throws IllegalArgumentException on a dimension mismatch
   */
  public RewardModel withFittedUsers(PreferenceData fewShot, FitConfig config) {
    if (fewShot.dim() != dim) {
      throw new IllegalArgumentException(
          "few-shot embedding dim " + fewShot.dim() + " != model dim " + dim);
    }
    float[] z = Evaluation.projectReferenced(this, fewShot);
    int maxPairs = 1;
    for (int u = 0; u < fewShot.userCount(); u++) {
      maxPairs = Math.max(maxPairs, fewShot.pairEnd(u) - fewShot.pairStart(u));
    }
    FewShotFitter fitter = new FewShotFitter(this, config, maxPairs);
    float[] dz = new float[maxPairs * rank];
    float[] out = new float[rank];
    int users = fewShot.userCount();
    java.util.LinkedHashMap<String, Integer> slot = new java.util.LinkedHashMap<>();
    for (int u = 0; u < userIds.length; u++) {
      slot.put(userIds[u], u);
    }
    float[] w = Arrays.copyOf(userWeights, (userIds.length + users) * rank);
    for (int u = 0; u < users; u++) {
      int n = fewShot.pairEnd(u) - fewShot.pairStart(u);
      for (int q = 0; q < n; q++) {
        int p = fewShot.pairStart(u) + q;
        int c = fewShot.chosen(p) * rank;
        int r = fewShot.rejected(p) * rank;
        for (int b = 0; b < rank; b++) {
          dz[q * rank + b] = z[c + b] - z[r + b];
        }
      }
      fitter.fitProjected(dz, n, out);
      int at = slot.computeIfAbsent(fewShot.userId(u), id -> slot.size());
      System.arraycopy(out, 0, w, at * rank, rank);
    }
    String[] ids = slot.keySet().toArray(new String[0]);
    PersonalReward[] r = Arrays.copyOf(rewards, ids.length);
    for (int u = 0; u < users; u++) {
      r[slot.get(fewShot.userId(u))] = null; // only the fitted users' directions are computed
    }
    return new RewardModel(
        dim, rank, basis, logitScale, ids, Arrays.copyOf(w, ids.length * rank), metadata, r);
  }

  /** Mean of the seen users' weights (uniform if there are none); on the simplex. */
  double[] meanUserWeights() {
    double[] mean = new double[rank];
    int users = userIds.length;
    for (int u = 0; u < users; u++) {
      for (int b = 0; b < rank; b++) {
        mean[b] += userWeights[u * rank + b];
      }
    }
    for (int b = 0; b < rank; b++) {
      mean[b] = users == 0 ? 1.0 / rank : mean[b] / users;
    }
    return mean;
  }

  /** Dense index of a seen user, or -1. */
  int userIndexOf(String userId) {
    return userIndex.getOrDefault(userId, -1);
  }

  /** This model with other metadata (the arrays are shared: both are immutable). */
  RewardModel withMetadata(Map<String, String> meta) {
    return new RewardModel(
        dim, rank, basis, logitScale, userIds, userWeights, meta, rewards.clone());
  }

  /** This model with one metadata entry added or replaced. */
  RewardModel withMetadataEntry(String key, String value) {
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put(key, value);
    return withMetadata(meta);
  }

  /** Training configuration and provenance (string keys and values, in insertion order). */
  public Map<String, String> metadata() {
    return metadata;
  }

  float[] basisInternal() {
    return basis;
  }

  float[] userWeightsInternal() {
    return userWeights;
  }

  String[] userIdsInternal() {
    return userIds;
  }

  /**
   * Writes the model to {@code file} atomically (the temporary file {@code .NAME.tmp} in the same
   * directory, then a move): a reader never sees a half-written model. The file gets the mode of
   * any new file (the umask's). Blocking I/O.
   *
   * @throws IOException if writing fails, or another save to the same file is in progress in this
   *     or another process (the temporary file is locked); the previous file is left as it was
   */
  public void save(Path file) throws IOException {
    ModelFile.write(this, file);
  }

  /**
   * Reads a model written by {@link #save}. Blocking I/O.
   *
   * @throws IOException if the file cannot be read, is truncated, corrupted (checksum mismatch),
   *     not a lore model, of an unsupported version, or holds a value no saved model has (sizes
   *     that overflow, a logit scale that is not positive and finite, a user id that is not UTF-8
   *     or repeats, weights off the simplex, metadata that is not a flat JSON object of strings);
   *     the message names the file
   */
  public static RewardModel load(Path file) throws IOException {
    return ModelFile.read(file);
  }

  @Override
  public String toString() {
    return "RewardModel[dim=" + dim + ", rank=" + rank + ", users=" + userIds.length + "]";
  }
}
