package lore.bench;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntToDoubleFunction;

/**
 * A caller-owned executor of {@code threads} daemon threads that runs {@code threads} fixed
 * partitions of one call and sums their results in partition order, the way {@code Trainer} does
 * (the engine itself creates no threads). With one thread the partition runs on the caller.
 * Allocates one small future per extra partition per call.
 */
final class Parallel implements AutoCloseable {
  private final int threads;
  private final ExecutorService pool;
  private final Future<?>[] futures;
  private final double[] parts;

  /** Daemon threads named "bench-worker": a forgotten pool never keeps a fork alive. */
  static final java.util.concurrent.ThreadFactory DAEMON =
      r -> {
        Thread t = new Thread(r, "bench-worker");
        t.setDaemon(true);
        return t;
      };

  Parallel(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    this.threads = threads;
    this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, DAEMON);
    this.futures = new Future<?>[threads];
    this.parts = new double[threads];
  }

  int threads() {
    return threads;
  }

  /** Runs {@code body(t)} for t in [0, threads): t = 0 on the caller; returns the ordered sum. */
  double run(IntToDoubleFunction body) {
    for (int t = 1; t < threads; t++) {
      int part = t;
      futures[t] = pool.submit(() -> parts[part] = body.applyAsDouble(part));
    }
    parts[0] = body.applyAsDouble(0);
    try {
      for (int t = 1; t < threads; t++) {
        futures[t].get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    double sum = 0;
    for (int t = 0; t < threads; t++) {
      sum += parts[t];
    }
    return sum;
  }

  /** First row of partition t of n rows. */
  static int lo(int n, int t, int threads) {
    return (int) ((long) n * t / threads);
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
