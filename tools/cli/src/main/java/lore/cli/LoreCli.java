package lore.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import lore.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code lore} command line: {@code demo}, {@code experiment}, {@code train}, {@code fit-user},
 * {@code score}, {@code embed}, {@code convert}, {@code export} and {@code serve}. The only class
 * of the project allowed to call {@link System#exit}.
 *
 * <p>Exit codes (the launcher adds none of its own but 3 for a missing JDK or a failed build):
 *
 * <ul>
 *   <li>0: success;
 *   <li>2: usage or bad input: an unknown option, a bad value, a missing, unreadable or malformed
 *       file, a dimension mismatch, an unknown user, an output that would replace an input;
 *   <li>3: environment: out of memory, a native library that does not load (and, from the launcher,
 *       no JDK 25 or a failed build);
 *   <li>1: internal error: anything else, which is a bug (or a training run that diverged).
 * </ul>
 *
 * Every error is one line {@code lore: error: <message>} on stderr; {@code --verbose} adds the
 * stack trace.
 *
 * <p>Commands write through {@code spec.commandLine().getOut()} and {@code getErr()}, so {@link
 * #commandLine()} can be run in-process with captured output.
 */
@Command(
    name = "lore",
    mixinStandardHelpOptions = true,
    versionProvider = LoreCli.Version.class,
    description = "LoRe: low-rank personalized reward models (pure Java, Vector API).",
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      FitUserCommand.class,
      ScoreCommand.class,
      ExperimentCommand.class,
      AskCommand.class,
      ActiveCommand.class,
      EmbedCommand.class,
      ConvertCommand.class,
      ExportCommand.class,
      ServeCommand.class,
      LoadCommand.class,
      CommandLine.HelpCommand.class
    })
public final class LoreCli implements Runnable {
  /** Exit code for bad input. */
  static final int EXIT_BAD_INPUT = 2;

  /** Exit code for an environment problem: memory, native libraries, the JDK or the build. */
  static final int EXIT_ENVIRONMENT = 3;

  /** Exit code for an internal error. */
  static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Show stack traces on errors and the engine's INFO log lines.")
  boolean verbose;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(run(commandLine(), args));
  }

  /**
   * A configured command line: case-insensitive enum values, one-line errors. Set its out and err
   * writers ({@link CommandLine#setOut}) before {@link #run} to capture the output.
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LoreCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setParameterExceptionHandler(LoreCli::onParameterException);
    cl.setExecutionExceptionHandler(LoreCli::onExecutionException);
    cl.setExecutionStrategy(
        parseResult -> {
          configureLogging(
              isVerbose(parseResult), parseResult.commandSpec().commandLine().getErr());
          return new CommandLine.RunLast().execute(parseResult);
        });
    return cl;
  }

  /**
   * Executes {@code args} on {@code cl} and returns the exit code. An {@link OutOfMemoryError} or a
   * library that does not load becomes one line with the remedy and {@link #EXIT_ENVIRONMENT}.
   */
  public static int run(CommandLine cl, String... args) {
    try {
      return cl.execute(args);
    } catch (OutOfMemoryError | LinkageError e) {
      PrintWriter err = cl.getErr();
      err.println("lore: error: " + environment(e));
      err.flush();
      return EXIT_ENVIRONMENT;
    }
  }

  /** The message of an environment problem, or null if {@code t} is not one. */
  private static String environment(Throwable t) {
    if (t instanceof OutOfMemoryError) {
      return "out of memory (max heap "
          + (Runtime.getRuntime().maxMemory() >> 20)
          + " MiB); raise LORE_HEAP, e.g. LORE_HEAP=24g, or use smaller inputs";
    }
    if (t instanceof LinkageError) {
      return "a library failed to load: " + oneLine(t.toString());
    }
    return null;
  }

  private static int onParameterException(CommandLine.ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    PrintWriter err = cl.getErr();
    if (isVerbose(cl.getParseResult())) {
      ex.printStackTrace(err);
    }
    err.println(
        "lore: error: "
            + oneLine(ex.getMessage())
            + " (see '"
            + cl.getCommandSpec().qualifiedName()
            + " --help')");
    err.flush();
    return EXIT_BAD_INPUT;
  }

  private static int onExecutionException(
      Exception ex, CommandLine cl, ParseResult fullParseResult) {
    Throwable cause = unwrap(ex);
    PrintWriter err = cl.getErr();
    boolean verbose = isVerbose(fullParseResult);
    if (verbose) {
      cause.printStackTrace(err);
    }
    int code;
    String message;
    if (environment(cause) != null) { // e.g. out of memory on a worker thread
      code = EXIT_ENVIRONMENT;
      message = environment(cause);
    } else if (isBadInput(cause)) {
      code = EXIT_BAD_INPUT;
      message = describe(cause);
    } else {
      code = EXIT_FAILURE;
      message =
          cause instanceof ArithmeticException
              ? describe(cause)
              : "internal error: " + cause + " (a bug: please report it with the --verbose output)";
      if (!verbose) {
        message += " (run with --verbose for the stack trace)";
      }
    }
    err.println("lore: error: " + oneLine(message));
    err.flush();
    return code;
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof UncheckedIOException u && u.getCause() != null) {
      return u.getCause();
    }
    return t;
  }

  private static boolean isBadInput(Throwable t) {
    return t instanceof IllegalArgumentException || t instanceof IOException;
  }

  /** A message for the user; the JDK's file exceptions carry only the path as message. */
  static String describe(Throwable t) {
    if (t instanceof NoSuchFileException e) {
      return "no such file or directory: " + e.getFile();
    }
    if (t instanceof AccessDeniedException e) {
      return "permission denied: " + e.getFile();
    }
    if (t instanceof FileAlreadyExistsException e) {
      return "already exists: " + e.getFile();
    }
    if (t instanceof NotDirectoryException e) {
      return "not a directory: " + e.getFile();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static boolean isVerbose(ParseResult pr) {
    for (ParseResult p = pr; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Routes the engine's {@link System.Logger} output (java.util.logging) to {@code err} as one line
   * per record: warnings always, INFO only with {@code --verbose}. The CLI is the application, so
   * it owns the logging configuration; the engine never touches it.
   */
  private static void configureLogging(boolean verbose, PrintWriter err) {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Level level = verbose ? Level.INFO : Level.WARNING;
    root.setLevel(level);
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (isLoggable(r)) {
              String level =
                  r.getLevel().intValue() >= Level.WARNING.intValue() ? "warning" : "info";
              err.println("lore: " + level + ": " + oneLine(r.getMessage()));
              err.flush();
            }
          }

          @Override
          public void flush() {
            err.flush();
          }

          @Override
          public void close() {}
        };
    h.setLevel(level);
    root.addHandler(h);
  }

  /** {@code --version}: the lore version, the Java runtime and the kernels in use. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "lore " + loreVersion(),
        "java "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vm.name")
            + ", "
            + System.getProperty("java.vendor")
            + ")",
        "kernels " + Trainer.kernelsName()
      };
    }
  }

  /** The project version, from the filtered {@code version.properties}. */
  static String loreVersion() {
    try (InputStream in = LoreCli.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
