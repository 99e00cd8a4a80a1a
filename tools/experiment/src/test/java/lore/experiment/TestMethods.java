package lore.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import lore.FitConfig;
import lore.PersonalReward;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import lore.experiment.PreferenceMethod.Trained;

/** Small methods for protocol tests, independent of the methods package. */
final class TestMethods {
  private TestMethods() {}

  /** A method named {@code name} that trains as {@code train} does. */
  static PreferenceMethod method(String name, BiFunction<PreferenceData, Long, Trained> train) {
    return new PreferenceMethod() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Trained train(PreferenceData data, long seed) {
        return train.apply(data, seed);
      }
    };
  }

  /** LoRe on the engine trainer at {@code rank} (BT at rank 1). */
  static PreferenceMethod engine(String name, int rank, int steps) {
    TrainConfig config = TrainConfig.defaults().withRank(rank).withSteps(steps).withThreads(1);
    return method(
        name,
        (train, seed) -> {
          RewardModel base = new Trainer(config.withSeed(seed)).train(train);
          return new Trained() {
            RewardModel current = base;

            @Override
            public void adapt(PreferenceData fewShot, long s) {
              current = base.withFittedUsers(fewShot, FitConfig.defaults());
            }

            @Override
            public float[] margins(PreferenceData test) {
              float[] out = new float[test.pairCount()];
              for (int u = 0; u < test.userCount(); u++) {
                PersonalReward r = current.reward(test.userId(u));
                for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
                  out[p] =
                      r.score(test.items(), test.itemOffset(test.chosen(p)))
                          - r.score(test.items(), test.itemOffset(test.rejected(p)));
                }
              }
              return out;
            }

            @Override
            public long parameterCount() {
              return (long) rank * base.dim() + (rank > 1 ? (long) base.userCount() * rank : 0);
            }
          };
        });
  }

  /** The engine LoRe family for rank selection. */
  static RankedMethod engineFamily(String name, int steps) {
    return family(name, rank -> engine(name, rank, steps));
  }

  /** A family named {@code name} whose method at each rank {@code atRank} gives. */
  static RankedMethod family(String name, IntFunction<PreferenceMethod> atRank) {
    return new RankedMethod() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public PreferenceMethod withRank(int rank) {
        return atRank.apply(rank);
      }
    };
  }

  /** A method that is only a name, for configurations that are inspected or reported, not run. */
  static PreferenceMethod named(String name) {
    return method(
        name,
        (train, seed) -> {
          throw new AssertionError(name + " is not to be trained");
        });
  }

  /** One split, k = 5 and the few-shot grid {1, 5}: a quick end-to-end run on a real dataset. */
  static ExperimentConfig oneSplit(ExperimentDataset dataset, Path out) {
    return ExperimentConfig.of(dataset, out)
        .withSplits(1)
        .withFewShot(5)
        .withFewShotGrid(List.of(1, 5));
  }

  /**
   * Knows every user's true linear reward direction (d floats) and uses it; checks that it is only
   * asked about users it was trained or adapted on.
   */
  static PreferenceMethod oracle(Map<String, float[]> directions) {
    return method(
        "oracle",
        (train, seed) -> {
          java.util.Set<String> seen = new java.util.HashSet<>();
          for (int u = 0; u < train.userCount(); u++) {
            seen.add(train.userId(u));
          }
          return new Trained() {
            java.util.Set<String> adapted = java.util.Set.of();

            @Override
            public void adapt(PreferenceData fewShot, long s) {
              java.util.Set<String> a = new java.util.HashSet<>();
              for (int u = 0; u < fewShot.userCount(); u++) {
                a.add(fewShot.userId(u));
              }
              adapted = a;
            }

            @Override
            public float[] margins(PreferenceData test) {
              float[] out = new float[test.pairCount()];
              int d = test.dim();
              for (int u = 0; u < test.userCount(); u++) {
                String id = test.userId(u);
                if (!seen.contains(id) && !adapted.contains(id)) {
                  throw new IllegalStateException("margins asked for unknown user " + id);
                }
                float[] w = directions.get(id);
                for (int p = test.pairStart(u); p < test.pairEnd(u); p++) {
                  double m = 0;
                  int c = test.itemOffset(test.chosen(p));
                  int r = test.itemOffset(test.rejected(p));
                  for (int j = 0; j < d; j++) {
                    m += w[j] * (test.items()[c + j] - test.items()[r + j]);
                  }
                  out[p] = (float) m;
                }
              }
              return out;
            }

            @Override
            public long parameterCount() {
              return 0;
            }
          };
        });
  }

  /** Wraps a method and counts calls of train. */
  static PreferenceMethod counting(PreferenceMethod m, AtomicInteger trains) {
    return method(
        m.name(),
        (train, seed) -> {
          trains.incrementAndGet();
          return m.train(train, seed);
        });
  }

  /** Margins given up front, for metric tests: {@code margins} of each test set; no adaptation. */
  static PreferenceMethod givenMargins(
      String name, Function<PreferenceData, float[]> margins, long parameterCount) {
    return method(
        name,
        (train, seed) ->
            new Trained() {
              @Override
              public void adapt(PreferenceData fewShot, long s) {}

              @Override
              public float[] margins(PreferenceData test) {
                return margins.apply(test);
              }

              @Override
              public long parameterCount() {
                return parameterCount;
              }
            });
  }
}
