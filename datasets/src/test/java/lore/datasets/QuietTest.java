package lore.datasets;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base class of this module's tests: fails a test that prints to stdout or stderr (the library
 * prints nothing; a test's output would hide the build's), and holds the seed, {@code
 * -Dlore.test.seed} or 7, which failure messages include.
 */
abstract class QuietTest {
  static final long SEED = Long.getLong("lore.test.seed", 7L);

  private PrintStream savedOut;
  private PrintStream savedErr;
  private ByteArrayOutputStream printed;

  @BeforeEach
  void captureStdStreams() {
    savedOut = System.out;
    savedErr = System.err;
    printed = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
  }

  @AfterEach
  void failIfAnythingWasPrinted() {
    System.setOut(savedOut);
    System.setErr(savedErr);
    if (printed.size() > 0) {
      fail(
          "the test printed to stdout/stderr (seed "
              + SEED
              + "):\n"
              + printed.toString(StandardCharsets.UTF_8));
    }
  }
}
