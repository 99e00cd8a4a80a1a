package lore.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import lore.PreferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFilesTest extends QuietTest {
  @TempDir Path dir;

  @Test
  void writesFiveFilesThatReadBackToTheSameData() throws IOException {
    SyntheticConfig c = SyntheticConfig.small(0.1).withSeed(SEED).withUsers(7, 5);
    SyntheticData d = SyntheticPersonalLlm.generate(c);
    Path out = dir.resolve("nested/synthetic");
    DatasetFiles.write(out, d);
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(
          List.of("fewshot.csv", "items.npy", "test-seen.csv", "test-unseen.csv", "train.csv"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Npy.Matrix items = Npy.readFloat32(out.resolve("items.npy"));
    assertEquals(c.itemCount(), items.rows());
    assertEquals(c.dim(), items.cols());
    assertArrayEquals(d.items(), items.data());
    String[] names = {"train.csv", "fewshot.csv", "test-seen.csv", "test-unseen.csv"};
    PreferenceData[] splits = {d.train(), d.fewShot(), d.testSeen(), d.testUnseen()};
    for (int i = 0; i < names.length; i++) {
      PreferenceData back =
          PairsCsv.read(out.resolve(names[i]), items.data(), items.rows(), items.cols());
      SyntheticPersonalLlmTest.assertSamePairs(splits[i], back);
    }
    PreferenceData testSeen =
        PairsCsv.read(out.resolve("test-seen.csv"), d.items(), c.itemCount(), c.dim());
    for (double a : d.oracleAccuracy(testSeen, d.seenWeights())) {
      assertEquals(1.0, a, 0.0, "seed " + SEED);
    }
  }
}
