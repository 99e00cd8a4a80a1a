import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import lore.Evaluation;
import lore.FitConfig;
import lore.PreferenceData;
import lore.RewardModel;
import lore.TrainConfig;
import lore.Trainer;
import lore.datasets.SyntheticConfig;
import lore.experiment.Experiment;
import lore.experiment.Split;
import lore.experiment.SyntheticDataset;

/**
 * Time to accuracy on one split of the synthetic paper-scale protocol: draws the split exactly as
 * {@code lore experiment --dataset synthetic} does (same split and method seeds), then trains
 * every configuration given on the same data in the same JVM and prints its passes over the data,
 * its training wall time (from the training pairs in memory to the trained model) and the
 * held-out accuracy of the seen users and of the unseen users fitted from 9 pairs (Eq. 11), as the
 * experiment's LoRe-Eq10 at a fixed rank. Usage (see README.md here for the classpath):
 *
 * <pre>
 *   java ... TimeToAccuracy.java SEED SPLIT CONFIG...
 *   CONFIG: comma list of steps=N, lr=X, threads=N, storage=bf16|float32, or paper
 *   (TrainConfig.paper() and FitConfig.paper(), the reference code's preset); rank 10,
 *   2 threads unless given
 * </pre>
 */
public class TimeToAccuracy {
  public static void main(String[] a) {
    long seedBase = Long.parseLong(a[0]);
    int split = Integer.parseInt(a[1]);
    double alpha = Double.parseDouble(System.getProperty("alpha", "0.01"));
    SyntheticDataset ds = new SyntheticDataset(SyntheticConfig.paperScale(alpha).withUsers(1000, 1000));
    long seed = Experiment.splitSeed(seedBase, split);
    long t0 = System.nanoTime();
    // the experiment draws every split with the few-shot pool of its largest k (50)
    Split s = ds.split(split, seed, 50, 0.2);
    System.out.printf(
        Locale.ROOT,
        "data %.1fs, seed %d split %d: %s%n",
        (System.nanoTime() - t0) / 1e9,
        seedBase,
        split,
        s.description());
    PreferenceData few = s.fewShot(9);
    long methodSeed = new SplittableRandom(seed ^ 0x6d657468L).nextLong(); // Experiment's
    ExecutorService pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r);
              t.setDaemon(true);
              return t;
            });
    for (int i = 2; i < a.length; i++) {
      TrainConfig c = TrainConfig.defaults().withRank(10).withThreads(2).withSeed(methodSeed);
      FitConfig fit = FitConfig.defaults().withPrior(FitConfig.Prior.NONE);
      for (String kv : a[i].split(",")) {
        String[] p = kv.split("=");
        switch (p[0]) {
          case "paper" -> {
            c = TrainConfig.paper().withRank(10).withThreads(c.threads()).withSeed(methodSeed);
            fit = FitConfig.paper();
          }
          case "steps" -> c = c.withSteps(Integer.parseInt(p[1]));
          case "lr" -> c = c.withLearningRate(Double.parseDouble(p[1]));
          case "threads" -> c = c.withThreads(Integer.parseInt(p[1]));
          case "storage" ->
              c =
                  c.withStorage(
                      p[1].equals("bf16")
                          ? TrainConfig.Storage.BFLOAT16
                          : TrainConfig.Storage.valueOf(p[1].toUpperCase(Locale.ROOT)));
          default -> throw new IllegalArgumentException("unknown setting " + kv);
        }
      }
      long t1 = System.nanoTime();
      RewardModel m = new Trainer(c).executor(pool).train(s.train());
      double seconds = (System.nanoTime() - t1) / 1e9;
      double seen = Evaluation.mean(Evaluation.accuracy(m, s.testSeen()));
      RewardModel withNew = m.withFittedUsers(few, fit.withSeed(methodSeed));
      double unseen = Evaluation.mean(Evaluation.accuracy(withNew, s.testUnseen()));
      System.out.printf(
          Locale.ROOT,
          "%-28s passes %4s  train %7.2f s  seen %.2f  unseen %.2f  final loss %s%n",
          a[i],
          m.metadata().get("passes"),
          seconds,
          100 * seen,
          100 * unseen,
          m.metadata().get("finalLoss"));
    }
  }
}
