/**
 * The LoRe engine: the public API is the package {@code lore} alone. The kernel layer, the training
 * internals and the file writer are exported only to the project's own modules that build on them
 * (the experiment's neural-network layer, the benchmarks, the dataset writers, the Spark trainer); on the class path,
 * where the command line runs, the module boundary is not enforced. The Vector API is optional: the
 * engine falls back to its scalar kernels when the JVM runs without {@code --add-modules
 * jdk.incubator.vector}.
 */
module lore.engine {
  requires static jdk.incubator.vector;

  exports lore;
  exports lore.internal.kernel to
      lore.experiment,
      lore.bench,
      lore.spark;
  exports lore.internal.train to
      lore.experiment,
      lore.bench,
      lore.spark;
  exports lore.internal.io to
      lore.datasets;
}
