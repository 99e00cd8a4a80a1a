package lore.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import lore.PreferenceData;
import lore.RewardModel;
import lore.datasets.Npy;
import lore.datasets.PairsCsv;

/**
 * Loading of the CLI's input files with checks up front, so that a bad path or a dimension mismatch
 * is reported as one clear line before any long work starts.
 */
final class Inputs {
  private Inputs() {}

  /**
   * Checks that {@code file} is an existing, readable regular file.
   *
   * @param what what the file is, for the message ("items", "model", ...)
   */
  static Path requireFile(Path file, String what) {
    if (!Files.exists(file)) {
      throw new IllegalArgumentException(what + " file not found: " + file);
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(what + " file is a directory: " + file);
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException(what + " file is not readable: " + file);
    }
    return file;
  }

  /** Checks that the directory {@code file} will be written into exists. */
  static Path requireParentDir(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new IllegalArgumentException("output directory does not exist: " + parent);
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("output is a directory: " + file);
    }
    return file;
  }

  /**
   * The item table of an {@code .npy} (float32 or float16) or {@code .safetensors} (F32, F16, BF16;
   * its only tensor) file, n x d, converted to float32 from a memory mapping.
   */
  static Npy.Matrix items(Path file) throws IOException {
    return lore.datasets.ItemTable.read(requireFile(file, "items"), null, null).matrix();
  }

  /** A model written by {@link RewardModel#save}. */
  static RewardModel model(Path file) throws IOException {
    return RewardModel.load(requireFile(file, "model"));
  }

  /** Pairs of a {@code user,chosen,rejected} CSV over the item table {@code items}. */
  static PreferenceData pairs(Path file, Npy.Matrix items) throws IOException {
    return PairsCsv.read(requireFile(file, "pairs"), items.data(), items.rows(), items.cols());
  }

  /** Checks that the items have the model's embedding dimension. */
  static void requireSameDim(RewardModel model, Path modelFile, Npy.Matrix items, Path itemsFile) {
    if (items.cols() != model.dim()) {
      throw new IllegalArgumentException(
          "dimension mismatch: items "
              + itemsFile
              + " are "
              + items.rows()
              + " x "
              + items.cols()
              + " but model "
              + modelFile
              + " has embedding dim "
              + model.dim());
    }
  }
}
