package lore.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs {@link LoreCli} in-process with captured stdout and stderr. */
record Cli(int code, String out, String err) {

  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = LoreCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = LoreCli.run(cl, args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** For assertion messages. */
  String dump() {
    return "exit " + code + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
  }
}
