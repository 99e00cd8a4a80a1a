package lore.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lore.PreferenceData;

/**
 * The PersonalLLM benchmark (namkoong-lab/PersonalLLM) in the layout of the LoRe reference code,
 * with users simulated as the paper does.
 *
 * <h2>Files</h2>
 *
 * Per split ({@code train}, {@code test}):
 *
 * <ul>
 *   <li>embeddings: a safetensors file with tensor {@code embeddings} of shape {@code [prompts * 8,
 *       d]} (bf16 in the reference, d = 4096): row {@code i*8 + j} embeds prompt i with response
 *       j+1;
 *   <li>scores: one row per prompt, in the same order, with the 80 columns {@code
 *       response_{j}_{model}} for j in 1..8 and model in {@link #MODELS}, as CSV/TSV or Parquet
 *       (the HF dataset exported; Parquet is read through DuckDB).
 * </ul>
 *
 * In a directory: {@code train.safetensors}, {@code test.safetensors}, and {@code
 * train.{parquet,csv,tsv}}, {@code test.{parquet,csv,tsv}}.
 *
 * <h2>Users</h2>
 *
 * {@code w ~ Dirichlet(alpha * 1_10)}, seeded. For each (user, prompt) the chosen response is the
 * argmax of {@code w . scores} over the prompt's 8 responses, the rejected one the argmin (ties:
 * first index; a prompt whose responses all score the same is skipped). Seen users get {@code
 * trainPairsPerUser} train prompts drawn without replacement, unseen users {@code
 * fewShotPairsPerUser}; both are tested on every test prompt. Splits: {@link
 * PreferenceSplits#PROTOCOL_SPLITS}; user ids {@code seen-0000...}, {@code unseen-0000...}; the
 * reference reward of an item is the mean of its ten scores.
 *
 * <p>Blocking I/O; stateless and thread-safe.
 */
public final class PersonalLlm {
  /** The ten reward models, in the reference code's order. */
  public static final List<String> MODELS =
      List.of(
          "gemma_2b",
          "gemma_7b",
          "mistral_raft",
          "llama3_sfairx",
          "oasst_deberta_v3",
          "beaver_7b",
          "oasst_pythia_7b",
          "oasst_pythia_1b",
          "mistral_ray",
          "mistral_weqweasdas");

  /** Responses per prompt. */
  public static final int RESPONSES = 8;

  /** The safetensors tensor name of the embeddings. */
  public static final String TENSOR = "embeddings";

  private PersonalLlm() {}

  /**
   * How users are simulated.
   *
   * @param alpha the Dirichlet concentration, > 0 (reference: 0.1)
   * @param seenUsers seen users, at least 1 (reference: 1000)
   * @param unseenUsers unseen users, at least 0 (reference: 500)
   * @param trainPairsPerUser train prompts per seen user; 0 for the reference's {@code int(0.005 *
   *     trainPrompts)} (at least 1)
   * @param fewShotPairsPerUser few-shot prompts per unseen user; 0 for {@code int(0.001 *
   *     trainPrompts)} (at least 1)
   * @param seed the seed of weights and prompt draws
   */
  public record Users(
      double alpha,
      int seenUsers,
      int unseenUsers,
      int trainPairsPerUser,
      int fewShotPairsPerUser,
      long seed) {
    /** Validates. */
    public Users {
      if (!(alpha > 0) || !Double.isFinite(alpha)) {
        throw new IllegalArgumentException("alpha must be > 0 and finite, got " + alpha);
      }
      if (seenUsers < 1 || unseenUsers < 0 || trainPairsPerUser < 0 || fewShotPairsPerUser < 0) {
        throw new IllegalArgumentException(
            "users and pairs must be non-negative (at least 1 seen user): " + this);
      }
    }

    /** The reference code's settings with {@code alpha} and {@code seed}. */
    public static Users reference(double alpha, long seed) {
      return new Users(alpha, 1000, 500, 0, 0, seed);
    }

    int trainPairs(int trainPrompts) {
      return trainPairsPerUser > 0 ? trainPairsPerUser : Math.max(1, (int) (0.005 * trainPrompts));
    }

    int fewShotPairs(int trainPrompts) {
      return fewShotPairsPerUser > 0
          ? fewShotPairsPerUser
          : Math.max(1, (int) (0.001 * trainPrompts));
    }
  }

  /** The score column of response {@code j} (1..8) and a model. */
  public static String scoreColumn(int j, String model) {
    return "response_" + j + "_" + model;
  }

  /**
   * Reads {@code dir/train.*} and {@code dir/test.*} (see the class comment).
   *
   * @throws IOException if a file is missing or malformed (see {@link #read(Path, Path, Path, Path,
   *     Users)})
   */
  public static PreferenceSplits read(Path dir, Users users) throws IOException {
    return read(
        dir.resolve("train.safetensors"),
        scoresFile(dir, "train"),
        dir.resolve("test.safetensors"),
        scoresFile(dir, "test"),
        users);
  }

  private static Path scoresFile(Path dir, String split) throws IOException {
    for (String ext : new String[] {".parquet", ".csv", ".tsv", ".csv.gz"}) {
      Path f = dir.resolve(split + ext);
      if (Files.isRegularFile(f)) {
        return f;
      }
    }
    throw new IOException(dir + ": no " + split + " scores (" + split + ".parquet, .csv or .tsv)");
  }

  /**
   * Reads both splits and simulates the users. Allocates the (train + test) x 8 x d item table and
   * O(users x prompts) pairs.
   *
   * @throws IOException for a malformed embeddings file, a missing score column, a bad score
   *     (naming file and line or row), or embedding rows other than 8 x score rows (naming both)
   */
  public static PreferenceSplits read(
      Path trainEmbeddings, Path trainScores, Path testEmbeddings, Path testScores, Users users)
      throws IOException {
    return simulate(readTable(trainEmbeddings, trainScores, testEmbeddings, testScores), users);
  }

  /**
   * The benchmark without users: every response of both splits and its ten scores, from which
   * {@link #simulate(Table, Users)} draws users (e.g. a fresh population per experiment split).
   *
   * @param items (train + test) x 8 rows, train rows first; ids {@code train-<prompt>-<j>}, {@code
   *     test-<prompt>-<j>}
   * @param scores items x 10 scores, in {@link #MODELS} order
   * @param trainPrompts how many of the prompts are train prompts
   */
  public record Table(ItemTable items, float[] scores, int trainPrompts) {
    /** Checks the shapes. */
    public Table {
      java.util.Objects.requireNonNull(items, "items");
      java.util.Objects.requireNonNull(scores, "scores");
      if ((long) items.rows() * MODELS.size() != scores.length
          || items.rows() % RESPONSES != 0
          || trainPrompts < 1
          || (long) trainPrompts * RESPONSES >= items.rows()) {
        throw new IllegalArgumentException(
            scores.length
                + " scores for "
                + items.rows()
                + " items and "
                + trainPrompts
                + " train prompts; expected items = prompts x 8, scores = items x 10, at least"
                + " one train and one test prompt");
      }
    }

    /** The reference reward of every item: the mean of its ten scores (a new array). */
    public float[] referenceRewards() {
      int m = MODELS.size();
      float[] ref = new float[items.rows()];
      for (int i = 0; i < ref.length; i++) {
        double s = 0;
        for (int k = 0; k < m; k++) {
          s += scores[i * m + k];
        }
        ref[i] = (float) (s / m);
      }
      return ref;
    }
  }

  /** Reads {@code dir/{train,test}.*} (see the class comment) without simulating users. */
  public static Table readTable(Path dir) throws IOException {
    return readTable(
        dir.resolve("train.safetensors"), scoresFile(dir, "train"),
        dir.resolve("test.safetensors"), scoresFile(dir, "test"));
  }

  /**
   * Reads both splits without simulating users. Allocates the (train + test) x 8 x d item table.
   *
   * @throws IOException as {@link #read(Path, Path, Path, Path, Users)}
   */
  public static Table readTable(
      Path trainEmbeddings, Path trainScores, Path testEmbeddings, Path testScores)
      throws IOException {
    Npy.Matrix tr = Safetensors.read(trainEmbeddings, TENSOR);
    Npy.Matrix te = Safetensors.read(testEmbeddings, TENSOR);
    if (tr.cols() != te.cols()) {
      throw new IOException(
          "embedding dims differ: "
              + trainEmbeddings
              + " has d="
              + tr.cols()
              + ", "
              + testEmbeddings
              + " has d="
              + te.cols());
    }
    float[] trScores = scores(trainScores, tr, trainEmbeddings);
    float[] teScores = scores(testScores, te, testEmbeddings);
    int trainPrompts = tr.rows() / RESPONSES;
    int testPrompts = te.rows() / RESPONSES;
    float[] items = new float[Math.multiplyExact(tr.rows() + te.rows(), tr.cols())];
    System.arraycopy(tr.data(), 0, items, 0, tr.data().length);
    System.arraycopy(te.data(), 0, items, tr.data().length, te.data().length);
    List<String> ids = new ArrayList<>(tr.rows() + te.rows());
    addIds(ids, "train", trainPrompts);
    addIds(ids, "test", testPrompts);
    float[] scores = new float[trScores.length + teScores.length];
    System.arraycopy(trScores, 0, scores, 0, trScores.length);
    System.arraycopy(teScores, 0, scores, trScores.length, teScores.length);
    ItemTable table = new ItemTable(new Npy.Matrix(items, ids.size(), tr.cols()), ids);
    return new Table(table, scores, trainPrompts);
  }

  /**
   * Simulates users over the benchmark (see the class comment); deterministic in {@code users}.
   * Allocates O(users x prompts) pairs; the item table is shared, not copied.
   */
  public static PreferenceSplits simulate(Table table, Users users) {
    return simulate(table.items(), table.scores(), table.trainPrompts(), users);
  }

  private static void addIds(List<String> ids, String split, int prompts) {
    for (int i = 0; i < prompts; i++) {
      for (int j = 1; j <= RESPONSES; j++) {
        ids.add(split + "-" + i + "-" + j);
      }
    }
  }

  /** The scores of a split as {@code [prompt][response][model]}, checked against the embeddings. */
  static float[] scores(Path file, Npy.Matrix embeddings, Path embeddingsFile) throws IOException {
    List<String> names = new ArrayList<>(RESPONSES * MODELS.size());
    for (int j = 1; j <= RESPONSES; j++) {
      for (String m : MODELS) {
        names.add(scoreColumn(j, m));
      }
    }
    float[][] cols = ScoreColumns.read(file, names);
    int prompts = cols[0].length;
    if ((long) prompts * RESPONSES != embeddings.rows()) {
      throw new IOException(
          file
              + " has "
              + prompts
              + " prompts (x 8 = "
              + ((long) prompts * RESPONSES)
              + " responses) but "
              + embeddingsFile
              + " has "
              + embeddings.rows()
              + " embedding rows; expected [prompts*8, d]");
    }
    float[] out = new float[prompts * RESPONSES * MODELS.size()];
    for (int p = 0; p < prompts; p++) {
      for (int c = 0; c < names.size(); c++) {
        out[p * names.size() + c] = cols[c][p]; // c = (j-1)*10 + m
      }
    }
    return out;
  }

  /**
   * Simulates users over an item table whose first {@code trainPrompts * 8} rows are train
   * responses and the rest test responses.
   *
   * @param scores items x 10 reward-model scores
   */
  static PreferenceSplits simulate(ItemTable table, float[] scores, int trainPrompts, Users u) {
    int m = MODELS.size();
    int n = table.rows();
    if (scores.length != n * m || n % RESPONSES != 0 || trainPrompts * RESPONSES > n) {
      throw new IllegalArgumentException(
          scores.length + " scores for " + n + " items (" + trainPrompts + " train prompts)");
    }
    int testPrompts = n / RESPONSES - trainPrompts;
    if (trainPrompts < 1 || testPrompts < 1) {
      throw new IllegalArgumentException(
          "need at least one train and one test prompt, got "
              + trainPrompts
              + " and "
              + testPrompts);
    }
    float[] ref = new Table(table, scores, trainPrompts).referenceRewards();
    SplittableRandom root = new SplittableRandom(u.seed());
    var seenW = new SyntheticPersonalLlm.Gaussian(root.split());
    SplittableRandom seenP = root.split();
    var unseenW = new SyntheticPersonalLlm.Gaussian(root.split());
    SplittableRandom unseenP = root.split();
    float[] ws = weights(u.alpha(), u.seenUsers(), m, seenW);
    float[] wu = weights(u.alpha(), u.unseenUsers(), m, unseenW);
    float[] items = table.matrix().data();
    int d = table.cols();
    PreferenceData train =
        sampled(
            PreferenceData.builder(items, n, d),
            scores,
            ws,
            "seen-",
            u.trainPairs(trainPrompts),
            trainPrompts,
            seenP);
    var splits = new java.util.LinkedHashMap<String, PreferenceData>();
    splits.put("train", train);
    if (u.unseenUsers() > 0) {
      splits.put(
          "fewshot",
          sampled(
              PreferenceData.builder(train),
              scores,
              wu,
              "unseen-",
              u.fewShotPairs(trainPrompts),
              trainPrompts,
              unseenP));
    }
    splits.put(
        "test-seen",
        test(PreferenceData.builder(train), scores, ws, "seen-", trainPrompts, testPrompts));
    if (u.unseenUsers() > 0) {
      splits.put(
          "test-unseen",
          test(PreferenceData.builder(train), scores, wu, "unseen-", trainPrompts, testPrompts));
    }
    return new PreferenceSplits(table, splits, PreferenceSplits.usersOf(splits.values()), ref);
  }

  private static float[] weights(double alpha, int users, int m, SyntheticPersonalLlm.Gaussian g) {
    float[] w = new float[users * m];
    double[] scratch = new double[m];
    for (int u = 0; u < users; u++) {
      SyntheticPersonalLlm.dirichlet(alpha, g, w, u * m, m, scratch);
    }
    return w;
  }

  /** Best (index 0) and worst (index 1) item of a prompt for a user; null if all tie. */
  private static int[] pick(float[] scores, float[] w, int wo, int prompt) {
    int m = MODELS.size();
    int first = prompt * RESPONSES;
    double hi = Double.NEGATIVE_INFINITY;
    double lo = Double.POSITIVE_INFINITY;
    int best = -1;
    int worst = -1;
    for (int i = first; i < first + RESPONSES; i++) {
      double s = 0;
      for (int k = 0; k < m; k++) {
        s += (double) w[wo + k] * scores[i * m + k];
      }
      if (s > hi) {
        hi = s;
        best = i;
      }
      if (s < lo) {
        lo = s;
        worst = i;
      }
    }
    return hi > lo ? new int[] {best, worst} : null;
  }

  private static PreferenceData sampled(
      PreferenceData.Builder b,
      float[] scores,
      float[] w,
      String prefix,
      int k,
      int trainPrompts,
      SplittableRandom promptRnd) {
    int m = MODELS.size();
    int[] perm = new int[trainPrompts];
    for (int u = 0; u < w.length / m; u++) {
      String id = SyntheticPersonalLlm.userId(prefix, u);
      SplittableRandom rnd = promptRnd.split();
      for (int i = 0; i < trainPrompts; i++) {
        perm[i] = i;
      }
      int got = 0;
      for (int drawn = 0; got < k && drawn < trainPrompts; drawn++) { // partial Fisher-Yates
        int pick = drawn + rnd.nextInt(trainPrompts - drawn);
        int prompt = perm[pick];
        perm[pick] = perm[drawn];
        perm[drawn] = prompt;
        int[] bw = pick(scores, w, u * m, prompt);
        if (bw != null) {
          b.add(id, bw[0], bw[1]);
          got++;
        }
      }
    }
    return b.build();
  }

  private static PreferenceData test(
      PreferenceData.Builder b,
      float[] scores,
      float[] w,
      String prefix,
      int trainPrompts,
      int testPrompts) {
    int m = MODELS.size();
    for (int u = 0; u < w.length / m; u++) {
      String id = SyntheticPersonalLlm.userId(prefix, u);
      for (int t = 0; t < testPrompts; t++) {
        int[] bw = pick(scores, w, u * m, trainPrompts + t);
        if (bw != null) {
          b.add(id, bw[0], bw[1]);
        }
      }
    }
    return b.build();
  }
}
