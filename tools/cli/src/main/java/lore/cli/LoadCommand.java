package lore.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import lore.datasets.ItemTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore load}: a closed-loop load generator for a local {@code lore serve}: N clients each
 * send one request at a time, {@code /score} with C random candidates and, with {@code
 * --observe-percent}, {@code /observe} of one pair for one of many new users, and with {@code
 * --question-percent}, {@code /next-question} among Q random items for one of those users (new or
 * already observed). Prints throughput and latency percentiles per endpoint. Bounded in time and
 * count; loopback addresses only.
 */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Load-test a local lore serve: closed-loop clients sending /score (C random items) and,"
          + " optionally, /observe and /next-question; prints requests per second and p50/p99"
          + " latency."
    })
final class LoadCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      paramLabel = "URL",
      description = "The server (a loopback address) (default: ${DEFAULT-VALUE}).")
  URI url;

  @Option(
      names = "--items",
      required = true,
      paramLabel = "FILE",
      description = "The server's item table: candidates are drawn from its ids.")
  Path items;

  @Option(
      names = "--user",
      required = true,
      paramLabel = "ID",
      description = "The user to score for.")
  String user;

  @Option(
      names = "--clients",
      defaultValue = "8",
      paramLabel = "N",
      description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--candidates",
      defaultValue = "64",
      paramLabel = "C",
      description = "Items per /score request (default: ${DEFAULT-VALUE}).")
  int candidates;

  @Option(
      names = "--observe-percent",
      defaultValue = "0",
      paramLabel = "P",
      description = "Percent of requests that are /observe updates (default: ${DEFAULT-VALUE}).")
  double observePercent;

  @Option(
      names = "--question-percent",
      defaultValue = "0",
      paramLabel = "P",
      description =
          "Percent of requests that are /next-question for the users /observe updates (default:"
              + " ${DEFAULT-VALUE}).")
  double questionPercent;

  @Option(
      names = "--question-items",
      defaultValue = "8",
      paramLabel = "Q",
      description =
          "Items per /next-question request: Q (Q - 1) / 2 candidate pairs (default:"
              + " ${DEFAULT-VALUE}).")
  int questionItems;

  @Option(
      names = "--seconds",
      defaultValue = "20",
      paramLabel = "S",
      description = "Measured duration, after --warmup (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--warmup",
      defaultValue = "5",
      paramLabel = "S",
      description = "Unmeasured seconds first, for the JIT (default: ${DEFAULT-VALUE}).")
  double warmup;

  /** Latencies of one client for one endpoint, in microseconds. */
  private static final class Samples {
    long[] us = new long[1 << 16];
    int n;

    void add(long v) {
      if (n == us.length) {
        us = Arrays.copyOf(us, n * 2);
      }
      us[n++] = v;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    if (url.getHost() == null || !InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "--url " + url + " is not a loopback address: lore load only loads a local server");
    }
    if (clients < 1 || clients > 256) {
      throw new IllegalArgumentException("--clients must be in [1, 256], got " + clients);
    }
    if (!(seconds > 0 && seconds <= 3600) || !(warmup >= 0 && warmup <= 600)) {
      throw new IllegalArgumentException("--seconds must be in (0, 3600], --warmup in [0, 600]");
    }
    if (!(observePercent >= 0 && observePercent <= 100)) {
      throw new IllegalArgumentException(
          "--observe-percent must be in [0, 100], got " + observePercent);
    }
    if (!(questionPercent >= 0 && observePercent + questionPercent <= 100)) {
      throw new IllegalArgumentException(
          "--question-percent must be in [0, 100 - --observe-percent], got " + questionPercent);
    }
    ItemTable table = Inputs.items(items);
    List<String> ids = table.ids();
    if (candidates < 1 || candidates > ids.size()) {
      throw new IllegalArgumentException(
          "--candidates must be in [1, " + ids.size() + "] (the items), got " + candidates);
    }
    if (questionItems < 2 || questionItems > ids.size()) {
      throw new IllegalArgumentException(
          "--question-items must be in [2, " + ids.size() + "] (the items), got " + questionItems);
    }
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    long start = System.nanoTime();
    long measureFrom = start + (long) (warmup * 1e9);
    long end = measureFrom + (long) (seconds * 1e9);
    AtomicLong errors = new AtomicLong();
    String[] firstError = new String[1];
    String[] paths = {"/score", "/observe", "/next-question"};
    Samples[][] samples = new Samples[clients][paths.length];
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Samples[] mine = samples[c] = new Samples[] {new Samples(), new Samples(), new Samples()};
      int client = c;
      Thread t =
          new Thread(
              () -> {
                SplittableRandom rnd = new SplittableRandom(client * 7919L + 1);
                int[] pick = new int[ids.size()];
                for (int i = 0; i < pick.length; i++) {
                  pick[i] = i;
                }
                long now;
                while ((now = System.nanoTime()) < end) {
                  double roll = rnd.nextDouble() * 100;
                  int kind =
                      roll < observePercent ? 1 : roll < observePercent + questionPercent ? 2 : 0;
                  String path = paths[kind];
                  StringBuilder b = new StringBuilder();
                  if (kind == 1) {
                    int a = rnd.nextInt(ids.size());
                    int r = (a + 1 + rnd.nextInt(ids.size() - 1)) % ids.size();
                    b.append("{\"user\":\"load-")
                        .append(client)
                        .append('-')
                        .append(rnd.nextInt(1000))
                        .append("\",\"pairs\":[{\"chosen\":")
                        .append(quote(ids.get(a)))
                        .append(",\"rejected\":")
                        .append(quote(ids.get(r)))
                        .append("}]}");
                  } else {
                    if (kind == 2) { // one of the users /observe updates: new, or observed already
                      b.append("{\"user\":\"load-")
                          .append(client)
                          .append('-')
                          .append(rnd.nextInt(1000))
                          .append('"');
                    } else {
                      b.append("{\"user\":").append(quote(user));
                    }
                    b.append(",\"items\":[");
                    int n = kind == 2 ? questionItems : candidates;
                    for (int i = 0; i < n; i++) { // a partial shuffle: distinct items
                      int j = i + rnd.nextInt(pick.length - i);
                      int tmp = pick[i];
                      pick[i] = pick[j];
                      pick[j] = tmp;
                      b.append(i > 0 ? "," : "").append(quote(ids.get(pick[i])));
                    }
                    b.append("]}");
                  }
                  HttpRequest req =
                      HttpRequest.newBuilder(url.resolve(path))
                          .timeout(Duration.ofSeconds(30))
                          .header("Content-Type", "application/json")
                          .POST(HttpRequest.BodyPublishers.ofString(b.toString()))
                          .build();
                  try {
                    HttpResponse<String> resp =
                        http.send(req, HttpResponse.BodyHandlers.ofString());
                    long took = (System.nanoTime() - now) / 1000;
                    if (resp.statusCode() != 200) {
                      record(
                          errors, firstError, path + ": " + resp.statusCode() + " " + resp.body());
                    } else if (now >= measureFrom) {
                      mine[kind].add(took);
                    }
                  } catch (Exception e) {
                    record(errors, firstError, path + ": " + e);
                    if (e instanceof InterruptedException) {
                      return;
                    }
                  }
                }
              },
              "lore-load-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    o.printf(
        Locale.ROOT,
        "lore load: %s, %d clients, %d candidates, %.0f%% updates, %.0f%% questions of %d items,"
            + " %.0f s measured after %.0f s warm-up%n",
        url,
        clients,
        candidates,
        observePercent,
        questionPercent,
        questionItems,
        seconds,
        warmup);
    long total = 0;
    for (int e = 0; e < paths.length; e++) {
      int n = 0;
      for (Samples[] s : samples) {
        n += s[e].n;
      }
      if (n == 0) {
        continue;
      }
      long[] all = new long[n];
      int at = 0;
      for (Samples[] s : samples) {
        System.arraycopy(s[e].us, 0, all, at, s[e].n);
        at += s[e].n;
      }
      Arrays.sort(all);
      total += n;
      o.printf(
          Locale.ROOT,
          "  %-14s %8d requests  %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
          paths[e],
          n,
          n / seconds,
          all[(int) (0.50 * (n - 1))] / 1000.0,
          all[(int) (0.99 * (n - 1))] / 1000.0,
          all[n - 1] / 1000.0);
    }
    o.printf(
        Locale.ROOT,
        "  total          %8d requests  %8.0f req/s; errors %d%n",
        total,
        total / seconds,
        errors.get());
    if (firstError[0] != null) {
      o.println("  first error: " + firstError[0]);
    }
    o.flush();
    return errors.get() == 0 ? 0 : 1;
  }

  private static void record(AtomicLong errors, String[] first, String what) {
    if (errors.getAndIncrement() == 0) {
      synchronized (first) {
        first[0] = what;
      }
    }
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      if (ch == '"' || ch == '\\') {
        b.append('\\').append(ch);
      } else if (ch < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
      } else {
        b.append(ch);
      }
    }
    return b.append('"').toString();
  }
}
