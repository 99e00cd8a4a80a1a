package lore.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import lore.RewardModel;
import lore.cli.serve.RewardService;
import lore.cli.serve.Server;
import lore.datasets.ItemTable;
import lore.experiment.MiniLmEmbedder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lore serve}: the model as an HTTP/JSON reward service ({@link Server}), with users'
 * updates durable in a state directory ({@link RewardService}). Runs until killed; SIGTERM or
 * Ctrl-C stop it cleanly (in-flight requests finish, the state is snapshotted).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = {
      "Serve a model over HTTP/JSON: GET /health, GET /users/ID, POST /score, /rerank, /observe"
          + " (add a user's pairs and refit them), /next-question (the pair to ask a user next)"
          + " and /reward (texts, embedded by MiniLM).",
      "Updates are appended to a log in --state and forced to disk before the reply; a restart"
          + " replays them."
    })
final class ServeCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file.")
  Path model;

  @Option(
      names = "--items",
      required = true,
      paramLabel = "FILE",
      description =
          "Item embeddings (.npy or .safetensors, with its .ids.txt): the ids requests name.")
  Path items;

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description = "State directory: the update log and snapshots (default: MODEL.state).")
  Path stateDir;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      paramLabel = "HOST",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      paramLabel = "PORT",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one, printed at start).")
  int port;

  @Option(
      names = "--max-body",
      defaultValue = "16777216",
      paramLabel = "BYTES",
      description = "Largest request body (default: ${DEFAULT-VALUE}).")
  int maxBody;

  @Option(
      names = "--max-candidates",
      defaultValue = "1024",
      paramLabel = "N",
      description =
          "Most items, embeddings, texts or pairs in one request; for /next-question, candidate"
              + " pairs (default: ${DEFAULT-VALUE}).")
  int maxCandidates;

  @Option(
      names = "--max-user-pairs",
      defaultValue = "1000",
      paramLabel = "N",
      description = "A user is refit from their N most recent pairs (default: ${DEFAULT-VALUE}).")
  int maxUserPairs;

  @Option(
      names = "--snapshot-every",
      defaultValue = "10000",
      paramLabel = "N",
      description =
          "Snapshot the state and empty the log every N updates (default: ${DEFAULT-VALUE}).")
  long snapshotEvery;

  @Option(
      names = "--replace",
      description =
          "Let /observe refit users the model was trained with (their trained weights are replaced"
              + " by a fit from observed pairs only); without it they are refused with 409.")
  boolean replace;

  @Option(
      names = "--default-user",
      paramLabel = "ID",
      description =
          "The user of /reward requests that name none (OpenRLHF sends no user); without it they"
              + " are refused.")
  String defaultUser;

  @picocli.CommandLine.Mixin FitOptions fit;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Inputs.requireFile(model, "model");
    Inputs.requireFile(items, "items");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
    }
    Path state = stateDir != null ? stateDir : Path.of(model + ".state");
    Server.Limits limits =
        Server.Limits.defaults()
            .withMaxBody(maxBody)
            .withMaxCandidates(maxCandidates)
            .withDefaultUser(defaultUser);
    RewardService.Options options =
        RewardService.Options.defaults()
            .withMaxUserPairs(maxUserPairs)
            .withSnapshotEvery(snapshotEvery)
            .withReplaceTrained(replace)
            .withFit(fit.fitConfig(false));
    RewardModel m = Inputs.model(model);
    ItemTable table = Inputs.items(items);
    Inputs.requireSameDim(m, model, table, items);
    if (defaultUser != null && !m.hasUser(defaultUser)) {
      throw new IllegalArgumentException(
          "--default-user " + defaultUser + " is not a user of " + model);
    }
    RewardService service = new RewardService(m, table, state, options, MiniLmEmbedder::new);
    Server server;
    try {
      server = new Server(service, limits, host, port, err);
    } catch (Exception e) {
      service.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                server.close();
              } catch (Exception e) {
                err.println("lore serve: error while stopping: " + e);
                err.flush();
              } finally {
                stopped.countDown();
              }
            },
            "lore-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    o.printf(
        Locale.ROOT,
        "lore serve: listening on http://%s:%d (model %s: d %d, B %d, %d users; %d items; state %s,"
            + " last update %d)%n",
        host,
        server.port(),
        model,
        m.dim(),
        m.rank(),
        service.model().userCount(),
        table.rows(),
        state,
        service.lastSeq());
    o.flush();
    stopped.await();
    return 0;
  }
}
