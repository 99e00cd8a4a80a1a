package lore.bench;

import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run profile every benchmark inherits (JMH's class annotations are {@code @Inherited}): one
 * state per benchmark, average time, 5 x 2 s warm-up (the Vector API needs about 10 s) and 5 x 2 s
 * measurement. Each benchmark class states its own {@code @Fork} and {@code @OutputTimeUnit}, since
 * heap, flags and unit differ; {@link FewShotFitBenchmark} also overrides mode and scope.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class BenchmarkState {}
