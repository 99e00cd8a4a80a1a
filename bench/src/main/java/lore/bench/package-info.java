/**
 * JMH benchmarks of the LoRe engine: the Vector API kernels side by side with the scalar kernels,
 * EJML and the ND4J path, plus the machine's memory and FMA rooflines measured in the same run. Not
 * API. See {@code bench/README.md}.
 */
package lore.bench;
