package lore.bench;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The main class of {@code benchmarks.jar}: JMH's own command line, plus the ND4J native build for
 * this CPU passed to every fork as {@code -D}{@value Nd4jNatives#PROPERTY}, so that a fork never
 * loads a build its CPU cannot run and every result's {@code jvmArgs} records the build used.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cmd;
    try {
      cmd = new CommandLineOptions(args);
    } catch (CommandLineOptionException e) {
      org.openjdk.jmh.Main.main(args); // JMH prints the error and its usage
      return;
    }
    if (cmd.shouldHelp()
        || cmd.shouldList()
        || cmd.shouldListWithParams()
        || cmd.shouldListProfilers()
        || cmd.shouldListResultFormats()) {
      org.openjdk.jmh.Main.main(args);
      return;
    }
    List<String> prepend = new ArrayList<>(cmd.getJvmArgsPrepend().orElse(List.of()));
    String flag = "-D" + Nd4jNatives.PROPERTY + "=";
    if (prepend.stream().anyMatch(a -> a.startsWith(flag))) {
      System.out.println("# ND4J natives: as given by -jvmArgsPrepend");
    } else {
      prepend.add(flag + Nd4jNatives.extension());
      System.out.println("# " + Nd4jNatives.describe());
    }
    try {
      new Runner(
              new OptionsBuilder()
                  .parent(cmd)
                  .jvmArgsPrepend(prepend.toArray(String[]::new))
                  .build())
          .run();
    } catch (RunnerException e) {
      System.err.println("ERROR: " + e.getMessage());
      System.exit(1);
    }
  }
}
