package lore.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import lore.PreferenceData;
import lore.RewardModel;
import lore.datasets.ItemTable;
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

  /**
   * Checks that {@code output} can be written without losing anything: its directory exists, it is
   * not a directory, and it is none of {@code inputs} (the same file, also through a link or
   * another spelling of the path). Null inputs are skipped.
   *
   * @param option the output's option, for the message ("--out")
   */
  static Path requireOutput(Path output, String option, Path... inputs) {
    requireParentDir(output);
    for (Path in : inputs) {
      if (in != null && sameFile(output, in)) {
        throw new IllegalArgumentException(
            option
                + " "
                + output
                + " is an input of this command ("
                + in
                + "); an output never replaces an input: choose another path");
      }
    }
    return output;
  }

  /** Whether two paths name the same file (existing or not). */
  static boolean sameFile(Path a, Path b) {
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
    } catch (IOException e) {
      // fall back to comparing the paths
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  /**
   * The thread count of an option: {@code requested}, or the available processors when null.
   *
   * @throws IllegalArgumentException outside [1, 4 x the available processors]: more threads than
   *     that only cost memory (a hundred thousand ran the JVM out of memory)
   */
  static int threads(Integer requested, String option) {
    int cores = Runtime.getRuntime().availableProcessors();
    int t = requested != null ? requested : cores;
    int max = Math.min(4 * cores, lore.TrainConfig.MAX_THREADS);
    if (t < 1 || t > max) {
      throw new IllegalArgumentException(
          option
              + " must be in [1, "
              + max
              + "] (4 x the "
              + cores
              + " available processors), got "
              + t);
    }
    return t;
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
   * its only tensor) file, n x d, converted to float32 from a memory mapping, with the ids of its
   * {@code .ids.txt} side file when there is one (else rows are named 0, 1, ...).
   */
  static ItemTable items(Path file) throws IOException {
    return ItemTable.read(requireFile(file, "items"), null, null);
  }

  /** A model written by {@link RewardModel#save}. */
  static RewardModel model(Path file) throws IOException {
    return RewardModel.load(requireFile(file, "model"));
  }

  /** Pairs of a pairs CSV over {@code items}, by item id or row as its header says. */
  static PreferenceData pairs(Path file, ItemTable items) throws IOException {
    return PairsCsv.read(requireFile(file, "pairs"), items);
  }

  /** Checks that the items have the model's embedding dimension. */
  static void requireSameDim(RewardModel model, Path modelFile, ItemTable items, Path itemsFile) {
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
