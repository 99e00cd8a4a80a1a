package lore;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every bad input is rejected at the boundary with a message naming the offending value. */
class BadInputTest {

  static void rejects(Executable call, String mustMention) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(
        e.getMessage().contains(mustMention),
        "message should mention '" + mustMention + "': " + e.getMessage());
  }

  @Test
  void itemTableProblems() {
    rejects(() -> PreferenceData.builder(new float[6], 2, 4), "2 x 4");
    rejects(() -> PreferenceData.builder(new float[0], 0, 4), "item count");
    rejects(() -> PreferenceData.builder(new float[4], 1, -4), "dim");
    float[] nan = new float[8];
    nan[6] = Float.NaN;
    rejects(() -> PreferenceData.builder(nan, 2, 4), "item 1");
    float[] inf = new float[8];
    inf[1] = Float.POSITIVE_INFINITY;
    rejects(() -> PreferenceData.builder(inf, 2, 4), "column 1");
  }

  @Test
  void pairProblems() {
    PreferenceData.Builder b = PreferenceData.builder(new float[12], 3, 4);
    rejects(() -> b.add("alice", 1, 1), "same item 1");
    rejects(() -> b.add("alice", 3, 1), "chosen item 3");
    rejects(() -> b.add("alice", 0, -1), "rejected item -1");
    rejects(() -> b.add("", 0, 1), "user id");
    rejects(b::build, "at least one comparison");
  }

  @Test
  void configAndModelProblems() {
    rejects(() -> TrainConfig.defaults().withRank(0), "rank");
    rejects(() -> TrainConfig.defaults().withSteps(-1), "steps");
    rejects(() -> TrainConfig.defaults().withThreads(0), "threads");
    rejects(() -> TrainConfig.defaults().withLearningRate(Double.NaN), "learning rate");
    rejects(
        () -> new Trainer(TrainConfig.defaults().withSimplex(TrainConfig.Simplex.SOFTMAX)),
        "PROJECTION");
    PreferenceData data =
        PreferenceData.builder(new float[] {1, 0, 0, 1}, 2, 2).add("a", 0, 1).build();
    rejects(() -> new Trainer(TrainConfig.defaults().withRank(3)).train(data), "rank 3");
    RewardModel m = new Trainer(TrainConfig.defaults().withRank(2).withSteps(3)).train(data);
    rejects(() -> m.reward("bob"), "unknown user bob");
    rejects(() -> m.score("a", new float[3]), "dim 3");
    rejects(() -> m.personalize(UserWeights.uniform(3)), "rank 3");
    rejects(() -> new UserWeights(new float[] {0.5f, 0.6f}), "sum");
    rejects(() -> new UserWeights(new float[] {-0.5f, 1.5f}), "-0.5");
    PreferenceData other = PreferenceData.builder(new float[9], 3, 3).add("z", 0, 1).build();
    rejects(() -> m.withFittedUsers(other, FitConfig.defaults()), "dim 3");
    rejects(() -> Evaluation.accuracy(m, other), "dim 3");
    rejects(() -> m.reward("a").rerank(new float[3], 2, new float[2], new int[2]), "2 candidates");
    rejects(() -> RewardModel.fromBasis(new float[5], 2, 3, 1.0), "2 x 3");
    rejects(() -> RewardModel.fromBasis(new float[6], 4, 3, 1.0), "rank 4");
    rejects(() -> RewardModel.fromBasis(new float[] {1, Float.NaN}, 1, 2, 1.0), "column 1");
    rejects(() -> RewardModel.fromBasis(new float[2], 1, 2, 0), "logit scale");
    RewardModel imported = RewardModel.fromBasis(new float[] {1, 0, 0, 1}, 2, 2, 1.0);
    RewardModel withUser =
        imported.withFittedUsers(
            PreferenceData.builder(new float[] {1, 0, 0, 1}, 2, 2).add("z", 0, 1).build(),
            FitConfig.defaults());
    org.junit.jupiter.api.Assertions.assertEquals(1f, withUser.weights("z").get(0), 1e-5f);
  }
}
