package lore.experiment;

import static lore.experiment.SplitsTest.assertDisjoint;
import static lore.experiment.SplitsTest.checkUsers;
import static lore.experiment.SplitsTest.groups;
import static lore.experiment.SplitsTest.pairsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import lore.datasets.Dtype;
import lore.datasets.ItemTable;
import lore.datasets.Npy;
import lore.datasets.PersonalLlm;
import lore.datasets.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PersonalLLM experiment dataset on a small benchmark the test builds (in memory or files). */
class PersonalLlmDatasetTest {
  static final int D = 8;
  static final int TRAIN = 200;
  static final int TEST = 40;

  @TempDir Path dir;

  /**
   * Responses whose ten scores are linear in the embedding (score_m = v_m . e), so users are
   * learnable; returns the table with train prompts first.
   */
  static PersonalLlm.Table table(long seed) {
    var rnd = new SplittableRandom(seed);
    int n = (TRAIN + TEST) * 8;
    float[] e = new float[n * D];
    for (int i = 0; i < e.length; i++) {
      e[i] = (float) rnd.nextGaussian();
    }
    float[] v = new float[10 * D];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    float[] scores = new float[n * 10];
    for (int i = 0; i < n; i++) {
      for (int m = 0; m < 10; m++) {
        double s = 0;
        for (int j = 0; j < D; j++) {
          s += v[m * D + j] * e[i * D + j];
        }
        scores[i * 10 + m] = (float) s;
      }
    }
    List<String> ids = new ArrayList<>();
    for (int p = 0; p < TRAIN + TEST; p++) {
      for (int j = 1; j <= 8; j++) {
        ids.add((p < TRAIN ? "train-" + p : "test-" + (p - TRAIN)) + "-" + j);
      }
    }
    return new PersonalLlm.Table(new ItemTable(new Npy.Matrix(e, n, D), ids), scores, TRAIN);
  }

  @Test
  void splitsArePromptDisjointAndDrawNewUsersPerSeed() {
    PersonalLlm.Table t = table(3);
    PersonalLlmDataset ds = new PersonalLlmDataset(t, 0.1, 30, 20, 10);
    Split s = ds.split(0, 11, 12, 0.2);
    checkUsers(s, "split 0");
    IntUnaryOperator prompt = item -> item / 8;
    var trainPrompts =
        groups(prompt, s.train(), s.fewShotPool(), s.validationTrain(), s.validation());
    var testPrompts = groups(prompt, s.testSeen(), s.testUnseen());
    assertDisjoint(trainPrompts, testPrompts, "train vs test prompts");
    assertTrue(trainPrompts.stream().allMatch(p -> p < TRAIN), "train pairs on train prompts");
    assertTrue(testPrompts.stream().allMatch(p -> p >= TRAIN), "test pairs on test prompts");
    assertDisjoint(
        groups(prompt, s.validationTrain()), groups(prompt, s.validation()), "validation prompts");
    assertEquals(30, s.train().userCount());
    assertEquals(300, s.train().pairCount());
    assertEquals(
        30,
        new PersonalLlmDataset(t, 0.1, 30, 20, 0).split(0, 11, 12, 0.2).train().pairCount(),
        "the reference's int(0.005 * 200) = 1 train prompt per seen user");
    assertEquals(12, s.fewShotAvailable(), "the few-shot pool holds the largest k");
    assertEquals(20, s.testUnseen().userCount());
    assertEquals(pairsOf(s.train()), pairsOf(ds.split(0, 11, 12, 0.2).train()), "deterministic");
    assertNotEquals(
        pairsOf(s.testSeen()),
        pairsOf(ds.split(1, 12, 12, 0.2).testSeen()),
        "a new population per seed");
  }

  @Test
  void referenceRewardIsTheMeanScoreOfTheDatasetsOwnTable() {
    PersonalLlm.Table t = table(4);
    PersonalLlmDataset ds = new PersonalLlmDataset(t, 0.1, 5, 5, 3);
    Split s = ds.split(0, 1, 2, 0.2);
    float[] ref = ds.referenceReward(s.train().items());
    assertEquals(t.items().rows(), ref.length);
    for (int i : new int[] {0, 17, ref.length - 1}) {
      double sum = 0;
      for (int m = 0; m < 10; m++) {
        sum += t.scores()[i * 10 + m];
      }
      assertEquals(sum / 10, ref[i], 1e-5, "item " + i);
    }
    assertNull(ds.referenceReward(new float[t.items().rows() * D]), "another table");
    assertTrue(ds.hasReferenceReward());
  }

  @Test
  void rejectsBadSettings() {
    PersonalLlm.Table t = table(5);
    assertThrows(IllegalArgumentException.class, () -> new PersonalLlmDataset(t, 0, 5, 5, 0));
    assertThrows(IllegalArgumentException.class, () -> new PersonalLlmDataset(t, 0.1, 5, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new PersonalLlmDataset(t, 0.1, 0, 5, 0));
  }

  /** Writes the benchmark in the reference layout: {split}.safetensors (bf16) and {split}.csv. */
  static void write(Path dir, PersonalLlm.Table t) throws IOException {
    float[] e = t.items().matrix().data();
    int split = TRAIN * 8 * D;
    Safetensors.write(
        dir.resolve("train.safetensors"),
        "embeddings",
        java.util.Arrays.copyOfRange(e, 0, split),
        TRAIN * 8,
        D,
        Dtype.F32,
        Map.of());
    Safetensors.write(
        dir.resolve("test.safetensors"),
        "embeddings",
        java.util.Arrays.copyOfRange(e, split, e.length),
        TEST * 8,
        D,
        Dtype.F32,
        Map.of());
    for (String name : new String[] {"train", "test"}) {
      StringBuilder csv = new StringBuilder("prompt");
      for (int j = 1; j <= 8; j++) {
        for (String m : PersonalLlm.MODELS) {
          csv.append(",response_").append(j).append('_').append(m);
        }
      }
      csv.append('\n');
      int from = name.equals("train") ? 0 : TRAIN;
      int to = name.equals("train") ? TRAIN : TRAIN + TEST;
      for (int p = from; p < to; p++) {
        csv.append("p").append(p);
        for (int c = 0; c < 80; c++) {
          csv.append(',').append(t.scores()[p * 80 + c]);
        }
        csv.append('\n');
      }
      Files.writeString(dir.resolve(name + ".csv"), csv, StandardCharsets.UTF_8);
    }
  }

  @Test
  void theCatalogRunsRefBtAndLoReOnTheBenchmarkFiles() throws IOException {
    PersonalLlm.Table t = table(6);
    Path data = Files.createDirectories(dir.resolve("data"));
    write(data, t);
    Path out = dir.resolve("out");
    ExperimentDataset ds = DatasetCatalog.personalLlm(data, 0.1, 40, 30, 20);
    ExperimentConfig config =
        MethodCatalog.withMethods(
            TestMethods.oneSplit(ds, out).withRankGrid(List.of()),
            List.of("ref", "BT", "LoRe"),
            new MethodCatalog.Settings(
                lore.TrainConfig.defaults().withRank(3).withSteps(30), lore.FitConfig.defaults()),
            false);
    new Experiment(config).run();
    String md = Files.readString(out.resolve("results.md"), StandardCharsets.UTF_8);
    assertTrue(md.contains("PersonalLLM: d=8, 200 train + 40 test prompts"), md);
    for (String m : new String[] {"ref", "BT", "LoRe"}) {
      assertTrue(
          md.matches("(?s).*\\| " + m + " \\| \\d+\\.\\d \\| \\d+\\.\\d \\|.*"), m + "\n" + md);
    }
    double lore = unseen(md, "LoRe");
    double ref = unseen(md, "ref");
    assertTrue(lore > ref + 2, "personalized users (alpha 0.1): LoRe " + lore + " vs ref " + ref);
  }

  private static double unseen(String md, String method) {
    for (String line : md.split("\n")) {
      if (line.startsWith("| " + method + " |")) {
        return Double.parseDouble(line.split("\\|")[3].strip().split(" ")[0]);
      }
    }
    throw new AssertionError(method + " not in\n" + md);
  }

  @Test
  void refNeedsADatasetWithAReferenceReward() throws IOException {
    ExperimentDataset ds =
        DatasetCatalog.jester5k(null, new lore.datasets.RatingsToPairs(0, 50, 1), 0.5, 0.2, 0);
    ExperimentConfig config = ExperimentConfig.of(ds, dir.resolve("y"));
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                MethodCatalog.withMethods(
                    config,
                    List.of("ref", "BT"),
                    new MethodCatalog.Settings(
                        lore.TrainConfig.defaults(), lore.FitConfig.defaults()),
                    false));
    assertTrue(e.getMessage().contains("method 'ref' needs a reference reward"), e.getMessage());
  }
}
