package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target of the model file reader. The first input byte is a switch: if its low bit is set,
 * the rest gets a valid checksum before it is loaded, so that the fuzzer reaches the values behind
 * the CRC check instead of failing at it every time. {@link RewardModel#load} must return a model
 * whose every value is valid, or throw an IOException naming the file.
 *
 * <p>{@code mvn verify} runs it over the committed corpus in {@code
 * src/test/resources/lore/ModelFileFuzzTestInputs/modelFile/}; FUZZING.md in the datasets module
 * describes a fuzzing run.
 */
class ModelFileFuzzTest {
  private static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    FuzzSupport.relabelClassFilesForJazzer();
    dir = Files.createTempDirectory("lore-fuzz");
  }

  @AfterAll
  static void tearDown() throws IOException {
    Files.deleteIfExists(dir.resolve("fuzz.lore"));
    Files.deleteIfExists(dir);
  }

  /** The corpus's valid-* seeds load: the fuzzer starts from real model files. */
  @Test
  void validSeedsLoad() throws Exception {
    Path root =
        Path.of(ModelFileFuzzTest.class.getResource("ModelFileFuzzTestInputs/modelFile").toURI());
    List<Path> seeds;
    try (Stream<Path> s = Files.list(root)) {
      seeds = s.filter(p -> p.getFileName().toString().startsWith("valid")).toList();
    }
    assertTrue(seeds.size() >= 2, "seeds: " + seeds);
    for (Path seed : seeds) {
      byte[] b = Files.readAllBytes(seed);
      Path f = dir.resolve("seed.lore");
      Files.write(f, Arrays.copyOfRange(b, 1, b.length));
      assertTrue(RewardModel.load(f).rank() >= 1, seed.toString());
      Files.delete(f);
    }
  }

  @FuzzTest(maxDuration = "30m", maxExecutions = 1_000_000)
  void modelFile(byte[] input) throws IOException {
    byte[] bytes = input.length == 0 ? input : Arrays.copyOfRange(input, 1, input.length);
    if (input.length > 0 && (input[0] & 1) != 0 && bytes.length >= 8) {
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, bytes.length - 8);
      ByteBuffer.wrap(bytes, bytes.length - 8, 8)
          .order(ByteOrder.LITTLE_ENDIAN)
          .putLong(crc.getValue());
    }
    Path f = dir.resolve("fuzz.lore");
    Files.write(f, bytes);
    RewardModel m;
    try {
      m = RewardModel.load(f);
    } catch (IOException e) {
      assertTrue(
          e.getMessage() != null && e.getMessage().contains(f.toString()),
          "the message does not name the file: " + e.getMessage());
      return;
    }
    assertTrue(m.logitScale() > 0 && Double.isFinite(m.logitScale()));
    assertTrue(m.rank() >= 1 && m.rank() <= m.dim());
    float[] basis = m.basis();
    assertEquals((long) m.rank() * m.dim(), basis.length);
    for (float v : basis) {
      assertTrue(Float.isFinite(v));
    }
    Set<String> ids = new HashSet<>();
    for (int u = 0; u < m.userCount(); u++) {
      String id = m.userId(u);
      assertTrue(!id.isEmpty() && ids.add(id));
      float[] w = m.weights(id).weights(); // UserWeights: finite, >= 0, sum 1
      assertEquals(m.rank(), w.length);
    }
  }
}
