package lore.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.TearDown;

/** The roofline probes: one call split over {@code threads} partitions (see {@link Parallel}). */
public abstract class ParallelState extends BenchmarkState {
  @Param({"1", "2"})
  int threads;

  /** Created by each probe's setup, before its check runs a call. */
  Parallel parallel;

  @TearDown(Level.Trial)
  public void tearDown() {
    parallel.close();
  }
}
