package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cost measure recorded in every model, {@code passes}: reads of the pair data. */
class TrainerPassesTest {

  static PreferenceData data() {
    return new Planted(31, 24, 3, 90, 20, 0.3).pairs("u", 0, 20, 15, 0, 90);
  }

  static int passes(RewardModel m) {
    return Integer.parseInt(m.metadata().get("passes"));
  }

  @Test
  void everyStepReadsTheDataOnceAndTheFinalSolveOnceMore() {
    PreferenceData d = data();
    TrainConfig base = TrainConfig.defaults().withRank(3).withSteps(7);
    for (TrainConfig.Layout layout :
        List.of(TrainConfig.Layout.ITEMS, TrainConfig.Layout.DIFFERENCES)) {
      assertEquals(8, passes(new Trainer(base.withLayout(layout)).train(d)), layout.name());
    }
    // the reference optimizer has no final solve of the users
    assertEquals(7, passes(new Trainer(TrainConfig.paper().withRank(3).withSteps(7)).train(d)));
    // a population start pays for the population (rank-1) model first
    RewardModel pop = new Trainer(base.withInit(TrainConfig.Init.POPULATION)).train(d);
    assertEquals(8 + 8, passes(pop));
    // the Bradley-Terry limit is the rank-1 model: its passes only
    RewardModel limit = new Trainer(base.withPriorStrength(Double.POSITIVE_INFINITY)).train(d);
    assertEquals(8, passes(limit));
  }

  @Test
  void theSelectionRecordsTheChosenModelsPassesAndItsOwn() {
    PreferenceData d = data();
    TrainConfig base = TrainConfig.defaults().withSteps(6);
    SelectionConfig sel =
        SelectionConfig.defaults()
            .withRanks(List.of(2, 3))
            .withStrengths(List.of(1.0, 0.1))
            .withFolds(3)
            .withPathSteps(4);
    ModelSelection.Result r = new ModelSelection(base, sel).select(d);
    int chosen = passes(r.model());
    long all = Long.parseLong(r.model().metadata().get("selectionPasses"));
    if (r.rank() == 1) {
      assertEquals(7, chosen);
    } else {
      // the population model (6 steps + the solve), then the path: 3 x 4 steps at the weakest
      // strength, 4 at the stronger one when it was chosen, and one solve per model taken
      int path = r.strength() == 0.1 ? 12 + 1 : 12 + 1 + 4 + 1;
      assertEquals(7 + path, chosen);
    }
    // per fold: the population model, then per rank a path through both strengths
    int perFold = 7 + 2 * (12 + 4 + 2);
    assertTrue(all > chosen && all <= 3L * perFold + chosen, "selection passes " + all);
  }
}
