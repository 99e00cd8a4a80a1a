package lore.bench;

import org.openjdk.jmh.annotations.Param;

/**
 * The single-threaded kernel benchmarks over {@code rows} rows of dimension d: at the defaults the
 * rows are 64 MB, more than L3, so at small B a call is a memory-bound read of them.
 */
public abstract class KernelState extends ImplState {
  @Param({"4096", "4095"}) // 4095 prices the tails
  int d;

  @Param({"4096"})
  int rows;
}
