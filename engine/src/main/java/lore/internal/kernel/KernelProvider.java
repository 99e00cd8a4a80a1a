package lore.internal.kernel;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Chooses the {@link Kernels} implementation once per JVM: {@code -Dlore.kernels=auto} (default)
 * takes the Vector API when the JVM was started with {@code --add-modules jdk.incubator.vector} and
 * falls back to scalar code otherwise; {@code scalar} forces the fallback; {@code panama} fails
 * loudly when the Vector API is unavailable. Internal; not API.
 */
public final class KernelProvider {
  private static final System.Logger LOG = System.getLogger(KernelProvider.class.getName());

  private KernelProvider() {}

  /** The process-wide choice, made on first use. */
  public static Kernels get() {
    return Holder.INSTANCE;
  }

  /** Lazily initialized so that class-initialization order can never deadlock. */
  private static final class Holder {
    static final Kernels INSTANCE = choose(System.getProperty("lore.kernels", "auto"));
  }

  /**
   * The cap on the vector width from {@code -Dlore.kernels.maxBits} (a power of two, at least 128),
   * or {@link Integer#MAX_VALUE} when unset.
   *
   * @throws IllegalArgumentException if the property is set to anything else
   */
  public static int maxBits() {
    String v = System.getProperty("lore.kernels.maxBits");
    if (v == null || v.isBlank()) {
      return Integer.MAX_VALUE;
    }
    int bits;
    try {
      bits = Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits < 128 || Integer.bitCount(bits) != 1) {
      throw new IllegalArgumentException(
          "lore.kernels.maxBits=" + v + " is not a vector width: use 128, 256, 512 or more");
    }
    return bits;
  }

  /** Whether the Vector API implementation can be loaded in this JVM. */
  public static boolean panamaAvailable() {
    return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  }

  /**
   * Builds the implementation named by {@code mode} ({@code auto}, {@code scalar} or {@code
   * panama}); tests and benchmarks call it directly to get both twins.
   */
  public static Kernels choose(String mode) {
    switch (mode) {
      case "scalar":
        return new ScalarKernels();
      case "auto":
      case "panama":
        break;
      default:
        throw new IllegalArgumentException(
            "lore.kernels=" + mode + " is not one of auto, scalar, panama");
    }
    maxBits(); // a bad width is a configuration error, not a reason to fall back to scalar code
    if (!panamaAvailable()) {
      if (mode.equals("panama")) {
        throw new IllegalStateException(
            "lore.kernels=panama needs the JVM flag --add-modules jdk.incubator.vector");
      }
      LOG.log(INFO, "SIMD off: start the JVM with --add-modules jdk.incubator.vector to enable it");
      return new ScalarKernels();
    }
    try {
      Class<?> c = Class.forName("lore.internal.kernel.PanamaKernels");
      var ctor = c.getDeclaredConstructor();
      return (Kernels) ctor.newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (mode.equals("panama")) {
        throw new IllegalStateException("lore.kernels=panama failed: " + cause, cause);
      }
      LOG.log(WARNING, "SIMD off: " + cause);
      return new ScalarKernels();
    }
  }
}
