package lore.internal.train;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntConsumer;

/**
 * Runs a fixed number of work partitions: partition 0 on the calling thread, the others on the
 * caller's executor (or one after another on the calling thread when there is none). Callers keep
 * one result buffer per partition and combine them in partition order, so results never depend on
 * scheduling. The engine creates no threads. Internal; not API.
 */
public final class Partitions {
  private final int count;
  private final Executor executor;

  /** {@code count} partitions on {@code executor} (null: all on the calling thread). */
  public Partitions(int count, Executor executor) {
    if (count < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + count);
    }
    this.count = count;
    this.executor = executor;
  }

  /** The number of partitions. */
  public int count() {
    return count;
  }

  /** Start of partition {@code part} of {@code n} items: {@code floor(n * part / count)}. */
  public int start(int n, int part) {
    return (int) ((long) n * part / count);
  }

  /** Runs {@code body} for every partition and returns when all are done. */
  public void run(IntConsumer body) {
    if (count == 1 || executor == null) {
      for (int t = 0; t < count; t++) {
        body.accept(t);
      }
      return;
    }
    List<CompletableFuture<Void>> futures = new ArrayList<>(count - 1);
    for (int t = 1; t < count; t++) {
      int part = t;
      futures.add(CompletableFuture.runAsync(() -> body.accept(part), executor));
    }
    body.accept(0);
    for (CompletableFuture<Void> f : futures) {
      f.join();
    }
  }
}
