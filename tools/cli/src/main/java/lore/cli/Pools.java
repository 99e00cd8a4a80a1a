package lore.cli;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The CLI's thread pools; the engine creates no threads and runs on the executor it is given. */
public final class Pools {
  private Pools() {}

  /**
   * A fixed pool of {@code threads} named daemon threads. Close it (try-with-resources) to shut it
   * down; daemon threads never keep the JVM alive after an error.
   */
  public static ExecutorService fixed(int threads, String name) {
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    return Executors.newFixedThreadPool(threads, factory);
  }
}
