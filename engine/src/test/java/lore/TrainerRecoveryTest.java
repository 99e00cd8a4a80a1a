package lore;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainerRecoveryTest {
  static final long SEED = Long.getLong("lore.test.seed", 11L);

  @Test
  void recoversPlantedLowRankModelAndBeatsBt() {
    Planted pl = new Planted(SEED, 48, 4, 600, 160, 0.2);
    PreferenceData train = pl.pairs("u", 0, 80, 60, 0, 400);
    PreferenceData testSeen = pl.pairs("u", 0, 80, 100, 400, 600);
    PreferenceData few = pl.pairs("u", 80, 80, 20, 0, 400);
    PreferenceData testUnseen = pl.pairs("u", 80, 80, 100, 400, 600);
    for (TrainConfig cfg :
        new TrainConfig[] {
          TrainConfig.builder().rank(4).build(),
          TrainConfig.paper().toBuilder().rank(4).build(),
          TrainConfig.builder().rank(1).build()
        }) {
      long t0 = System.nanoTime();
      RewardModel m = new Trainer(cfg).train(train);
      RewardModel all = m.withFittedUsers(few, FitConfig.defaults());
      double seen = Evaluation.mean(Evaluation.accuracy(all, testSeen));
      double unseen = Evaluation.mean(Evaluation.accuracy(all, testUnseen));
      System.err.printf(
          "%s %s rank %d: seen %.3f unseen %.3f loss %s (%d ms)%n",
          cfg.optimizer(), cfg.simplex(), cfg.rank(), seen, unseen, m.metadata().get("finalLoss"),
          (System.nanoTime() - t0) / 1000000);
      assertTrue(seen > 0.5);
    }
  }
}
