package lore.experiment;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import lore.FitConfig;
import lore.PersonalReward;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;

/** Small methods for protocol tests, independent of the methods package. */
final class TestMethods {
  private TestMethods() {}

  /** LoRe on the engine trainer at {@code rank} (BT at rank 1). */
  static PreferenceMethod engine(String name, int rank, int steps) {
    TrainConfig config = TrainConfig.defaults().withRank(rank).withSteps(steps).withThreads(1);
    return new PreferenceMethod() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Trained train(PreferenceData train, long seed) {
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
      }
    };
  }

  /** The engine LoRe family for rank selection. */
  static RankedMethod engineFamily(String name, int steps) {
    return new RankedMethod() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public PreferenceMethod withRank(int rank) {
        return engine(name, rank, steps);
      }
    };
  }

  /**
   * Knows every user's true linear reward direction (d floats) and uses it; checks that it is only
   * asked about users it was trained or adapted on.
   */
  static PreferenceMethod oracle(Map<String, float[]> directions) {
    return new PreferenceMethod() {
      @Override
      public String name() {
        return "oracle";
      }

      @Override
      public Trained train(PreferenceData train, long seed) {
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
      }
    };
  }

  /** Wraps a method and counts calls of train. */
  static PreferenceMethod counting(PreferenceMethod m, AtomicInteger trains) {
    return new PreferenceMethod() {
      @Override
      public String name() {
        return m.name();
      }

      @Override
      public Trained train(PreferenceData train, long seed) {
        trains.incrementAndGet();
        return m.train(train, seed);
      }
    };
  }

  /** Margins given up front, for metric tests: the same margins for any test set. */
  static PreferenceMethod fixedMargins(String name, float[] margins) {
    return new PreferenceMethod() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Trained train(PreferenceData train, long seed) {
        return new Trained() {
          @Override
          public void adapt(PreferenceData fewShot, long s) {}

          @Override
          public float[] margins(PreferenceData test) {
            return margins.clone();
          }

          @Override
          public long parameterCount() {
            return 7;
          }
        };
      }
    };
  }
}
