package lore.bench;

import lore.internal.kernel.KernelProvider;
import lore.internal.kernel.Kernels;

/** The implementations compared side by side; the {@code impl} parameter names one. */
enum Impl {
  /** The engine's Vector API kernels ({@code PanamaKernels}). */
  PANAMA,
  /** The engine's scalar twin ({@code ScalarKernels}). */
  SCALAR,
  /** EJML 0.46.1 {@code FMatrixRMaj} / {@code CommonOps_FDRM} (multi-threaded: {@code _MT_}). */
  EJML,
  /** ND4J 1.0.0-M2.1 as a user writes it: {@code Nd4j.gemm} and element-wise transforms. */
  ND4J;

  static Impl of(String name) {
    return valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }

  boolean isEngine() {
    return this == PANAMA || this == SCALAR;
  }

  /** The engine kernels of PANAMA or SCALAR; fails loudly if the Vector API module is missing. */
  Kernels kernels() {
    if (!isEngine()) {
      throw new IllegalStateException(this + " has no engine kernels");
    }
    return KernelProvider.choose(name().toLowerCase(java.util.Locale.ROOT));
  }
}
