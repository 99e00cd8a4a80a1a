package lore.datasets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a {@link SyntheticData} as a directory of plain files that the CLI and other tools read:
 *
 * <ul>
 *   <li>{@code items.npy}: the item table, items x dim float32 ({@link Npy});
 *   <li>{@code train.csv}, {@code fewshot.csv}, {@code test-seen.csv}, {@code test-unseen.csv}: the
 *       four splits as {@link PairsCsv} files over those items.
 * </ul>
 *
 * The hidden rewards and true user weights are not written.
 */
public final class DatasetFiles {
  private DatasetFiles() {}

  /**
   * Writes the five files into {@code dir}, creating it if needed and replacing existing files.
   * Each file is written atomically, the set is not: a failure can leave some files new and some
   * old. Blocking I/O; at paper scale about 1.4 GB.
   *
   * @throws IOException if a directory or file cannot be written
   */
  public static void write(Path dir, SyntheticData data) throws IOException {
    Files.createDirectories(dir);
    SyntheticConfig c = data.config();
    Npy.writeFloat32(dir.resolve("items.npy"), data.items(), c.itemCount(), c.dim());
    PairsCsv.write(dir.resolve("train.csv"), data.train());
    PairsCsv.write(dir.resolve("fewshot.csv"), data.fewShot());
    PairsCsv.write(dir.resolve("test-seen.csv"), data.testSeen());
    PairsCsv.write(dir.resolve("test-unseen.csv"), data.testUnseen());
  }
}
