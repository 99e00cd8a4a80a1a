package lore.spark;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * What Spark reports about the jobs of a run, summed per phase: the driver names the phase of the
 * jobs it submits next with {@link #phase} (a local property of the submitting thread, which Spark
 * copies into every job it starts), and this listener adds every finished task's metrics to the
 * phase of its stage. Spark delivers listener events on its own thread, after the action returned:
 * {@link #drain} waits until every event of the jobs submitted before it has been seen.
 */
final class JobAccounting extends SparkListener {
  /** The local property that carries the phase. */
  static final String PHASE = "lore.scale.phase";

  /** One phase's totals over its finished tasks (failed attempts included, as Spark ran them). */
  static final class Totals {
    long jobs;
    long tasks;
    long shuffleWriteBytes;
    long shuffleReadBytes;
    long resultBytes; // serialized task results sent to the driver
    long executorRunMs;
    long spilledBytes; // memory and disk spills

    synchronized void add(TaskMetrics m) {
      tasks++;
      if (m == null) { // a task that failed before it reported metrics
        return;
      }
      shuffleWriteBytes += m.shuffleWriteMetrics().bytesWritten();
      shuffleReadBytes += m.shuffleReadMetrics().totalBytesRead();
      resultBytes += m.resultSize();
      executorRunMs += m.executorRunTime();
      spilledBytes += m.memoryBytesSpilled() + m.diskBytesSpilled();
    }
  }

  private final Map<String, Totals> phases = new ConcurrentHashMap<>();
  private final Map<Integer, String> stagePhase = new ConcurrentHashMap<>();
  private final Map<Integer, String> jobPhase = new ConcurrentHashMap<>();
  private final String marker = "end-of-run-" + System.nanoTime();
  private final CountDownLatch markerSeen = new CountDownLatch(1);

  /** Names the phase of the jobs {@code sc} starts next from this thread (null: not counted). */
  static void phase(JavaSparkContext sc, String name) {
    sc.setLocalProperty(PHASE, name);
  }

  /** The totals of {@code phase}: zero if none of its tasks has been seen. */
  Totals totals(String phase) {
    return phases.getOrDefault(phase, new Totals());
  }

  /**
   * Runs a one-task job of its own and waits until its end is seen: Spark posts events in order, so
   * every event of the jobs submitted before it has then been counted.
   *
   * @throws IllegalStateException if the event does not arrive within {@code timeoutSeconds}
   */
  void drain(JavaSparkContext sc, long timeoutSeconds) {
    String before = sc.getLocalProperty(PHASE);
    phase(sc, marker);
    try {
      sc.parallelize(java.util.List.of(0), 1).count();
    } finally {
      phase(sc, before);
    }
    try {
      if (!markerSeen.await(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "Spark's listener events did not arrive within " + timeoutSeconds + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Spark's listener events", e);
    }
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    Properties p = start.properties();
    String phase = p == null ? null : p.getProperty(PHASE);
    if (phase == null) {
      return; // another caller's job on a shared context
    }
    jobPhase.put(start.jobId(), phase);
    if (!phase.equals(marker)) {
      Totals t = phases.computeIfAbsent(phase, x -> new Totals());
      synchronized (t) {
        t.jobs++;
      }
      for (StageInfo s : scala.jdk.javaapi.CollectionConverters.asJava(start.stageInfos())) {
        stagePhase.put(s.stageId(), phase);
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    String phase = stagePhase.get(end.stageId());
    if (phase != null) {
      phases.computeIfAbsent(phase, x -> new Totals()).add(end.taskMetrics());
    }
  }

  @Override
  public void onJobEnd(SparkListenerJobEnd end) {
    if (marker.equals(jobPhase.get(end.jobId()))) {
      markerSeen.countDown();
    }
  }
}
