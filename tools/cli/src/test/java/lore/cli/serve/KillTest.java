package lore.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import lore.RewardModel;
import lore.cli.TinyModel;
import lore.datasets.ItemTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code lore serve} process while clients send updates and scores: after a restart
 * every acknowledged update is there, and nothing else but the requests that were in flight.
 */
class KillTest {
  @TempDir Path dir;

  /** What a client thread knows of one user: the last acknowledged update and the one in flight. */
  static final class Seen {
    volatile long ackedPairs;
    volatile float[] ackedWeights;
    volatile int inFlight;
  }

  @Test
  void everyAcknowledgedUpdateSurvivesKillDashNine() throws Exception {
    TinyModel tiny = TinyModel.create(dir);
    RewardModel model = RewardModel.load(tiny.model());
    ItemTable items = ItemTable.read(tiny.items(), null, null);
    Path state = dir.resolve("state");
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process server =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "lore.cli.LoreCli",
                "serve",
                "--model",
                tiny.model().toString(),
                "--items",
                tiny.items().toString(),
                "--state",
                state.toString(),
                "--port",
                "0",
                "--snapshot-every",
                "40") // snapshots and log resets happen under load too
            .redirectErrorStream(true)
            .start();
    Map<String, Seen> seen = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    AtomicInteger acked = new AtomicInteger();
    List<String> errors = Collections.synchronizedList(new ArrayList<>());
    StringBuilder serverOut = new StringBuilder();
    try {
      int port = port(server, serverOut);
      Http h = Http.local(port);
      CountDownLatch enough = new CountDownLatch(1);
      for (int t = 0; t < 4; t++) {
        int client = t;
        Thread c =
            new Thread(
                () -> {
                  SplittableRandom rnd = new SplittableRandom(client);
                  while (!stop.get()) {
                    String user = "c" + client + "-u" + rnd.nextInt(3);
                    Seen s = seen.computeIfAbsent(user, u -> new Seen());
                    int k = 1 + rnd.nextInt(3);
                    List<Map<String, String>> pairs = new ArrayList<>();
                    for (int p = 0; p < k; p++) {
                      int a = rnd.nextInt(items.rows());
                      int b = (a + 1 + rnd.nextInt(items.rows() - 1)) % items.rows();
                      pairs.add(
                          Map.of("chosen", items.ids().get(a), "rejected", items.ids().get(b)));
                    }
                    s.inFlight = k;
                    try {
                      Http.Reply r = h.post("/observe", Map.of("user", user, "pairs", pairs));
                      if (r.status() != 200) {
                        errors.add("observe: " + r);
                        return;
                      }
                      s.ackedPairs = r.body().get("observed_pairs").asLong();
                      s.ackedWeights = Http.floats(r.body().get("weights"));
                      s.inFlight = 0;
                      if (acked.incrementAndGet() >= 150) {
                        enough.countDown();
                      }
                    } catch (IOException | InterruptedException e) {
                      return; // the server is gone
                    }
                  }
                },
                "kill-client-" + t);
        c.start();
        clients.add(c);
      }
      String trained = model.userId(0);
      Thread scorer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    Http.Reply r =
                        h.post(
                            "/score", Map.of("user", trained, "items", items.ids().subList(0, 8)));
                    if (r.status() != 200) {
                      errors.add("score: " + r);
                      return;
                    }
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                }
              },
              "kill-scorer");
      scorer.start();
      clients.add(scorer);
      assertTrue(
          enough.await(120, TimeUnit.SECONDS),
          "150 updates acknowledged within 120 s (" + acked.get() + ")\n" + serverOut);
      server.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no snapshot
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server died");
    } finally {
      stop.set(true);
      server.destroyForcibly();
      for (Thread c : clients) {
        c.join(60_000);
      }
    }
    assertEquals(List.of(), errors, "every request before the kill was answered 200");
    assertEquals(137, server.exitValue(), "killed by SIGKILL (128 + 9)");

    int users = 0;
    try (RewardService back =
        new RewardService(model, items, state, RewardService.Options.defaults(), p -> null)) {
      for (Map.Entry<String, Seen> e : seen.entrySet()) {
        Seen s = e.getValue();
        if (s.ackedPairs == 0) {
          continue; // never acknowledged: nothing is owed
        }
        users++;
        RewardService.User u = back.user(e.getKey());
        assertNotNull(u, e.getKey());
        String what = e.getKey() + ": acked " + s.ackedPairs + " + in flight " + s.inFlight;
        assertTrue(
            u.observed() == s.ackedPairs || u.observed() == s.ackedPairs + s.inFlight,
            what + ", after restart " + u.observed());
        if (u.observed() == s.ackedPairs) {
          assertArrayEquals(s.ackedWeights, u.weights(), 0f, what);
        }
      }
    }
    assertEquals(12, users, "every client's users were acknowledged at least once");
  }

  /** Reads the server's output until it names its port. */
  private static int port(Process server, StringBuilder out) throws Exception {
    BufferedReader r =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
    CountDownLatch found = new CountDownLatch(1);
    int[] port = {-1};
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  synchronized (out) {
                    out.append(line).append('\n');
                  }
                  Matcher m = listening.matcher(line);
                  if (m.find()) {
                    port[0] = Integer.parseInt(m.group(1));
                    found.countDown();
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "kill-server-output");
    reader.setDaemon(true);
    reader.start();
    assertTrue(found.await(120, TimeUnit.SECONDS), "the server started within 120 s:\n" + out);
    return port[0];
  }
}
