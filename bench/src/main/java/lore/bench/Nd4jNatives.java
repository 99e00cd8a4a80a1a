package lore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses ND4J's native build for the running CPU before ND4J loads, and tells whether one loaded.
 *
 * <p>The bench ships ND4J's generic build for its platform and, on x86-64, the AVX2 and AVX-512
 * builds. JavaCPP tries the builds on the class path in a fixed order and cannot catch the SIGILL
 * of a build whose instructions the CPU lacks, so the choice is made here from the CPU flags and
 * passed to JavaCPP as {@value #PROPERTY}. A JVM started with that property keeps it (to force a
 * build). When no build loads, the ND4J benchmarks are skipped with {@link #unavailableReason()}.
 */
final class Nd4jNatives {
  /** JavaCPP's name for the build variant: {@code -avx512}, {@code -avx2} or empty (generic). */
  static final String PROPERTY = "org.bytedeco.javacpp.platform.extension";

  /** What ND4J's AVX-512 build is compiled for ({@code -march=skylake-avx512}). */
  private static final List<String> AVX512 =
      List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma");

  /** What ND4J's AVX2 build is compiled for (Haswell and later). */
  private static final List<String> AVX2 = List.of("avx2", "fma", "f16c", "bmi2", "movbe");

  private static String reason; // null until checked; "" when ND4J loaded
  private static boolean chosenHere;
  private static boolean announced; // the extension came from the CPU flags, not from -D

  private Nd4jNatives() {}

  /**
   * The JavaCPP extension for a CPU: {@code -avx512}, {@code -avx2} or {@code ""}. Builds exist for
   * x86-64 only; other architectures take the generic (arm64) build.
   */
  static String extensionFor(String osArch, Set<String> cpuFlags) {
    boolean x86 = osArch.equals("amd64") || osArch.equals("x86_64");
    if (!x86) {
      return "";
    }
    if (cpuFlags.containsAll(AVX512)) {
      return "-avx512";
    }
    return cpuFlags.containsAll(AVX2) ? "-avx2" : "";
  }

  /**
   * The CPU flags of the first processor in {@code /proc/cpuinfo} (x86 {@code flags}, arm {@code
   * Features}).
   */
  static Set<String> cpuFlags() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          String key = line.substring(0, colon).strip();
          if (key.equals("flags") || key.equals("Features")) {
            return new TreeSet<>(Arrays.asList(line.substring(colon + 1).strip().split("\\s+")));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc (not Linux): the generic build is the safe choice
    }
    return Set.of();
  }

  /**
   * The extension this JVM uses: the one it was started with, or the one chosen from the CPU flags
   * (then set as {@value #PROPERTY}, before ND4J reads it).
   */
  static synchronized String extension() {
    String given = System.getProperty(PROPERTY);
    if (given != null) {
      return given;
    }
    String chosen = extensionFor(System.getProperty("os.arch", ""), cpuFlags());
    System.setProperty(PROPERTY, chosen);
    chosenHere = true;
    return chosen;
  }

  /** The build name for results, e.g. {@code linux-x86_64-avx2}. */
  static String build() {
    String arch = System.getProperty("os.arch", "");
    String platform =
        switch (arch) {
          case "amd64", "x86_64" -> "linux-x86_64";
          case "aarch64" -> "linux-arm64";
          default -> "linux-" + arch;
        };
    return platform + extension();
  }

  /**
   * Why ND4J cannot run in this JVM (one line), or {@code ""} when it loaded. Loads ND4J on the
   * first call, after choosing the build.
   */
  static synchronized String unavailableReason() {
    if (reason == null) {
      extension();
      try {
        org.nd4j.linalg.factory.Nd4j.create(new float[] {1f}, new long[] {1});
        reason = "";
      } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, NoAvailableBackend ...
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
          root = root.getCause();
        }
        reason =
            "no ND4J native build loads for "
                + build()
                + " ("
                + root.getClass().getSimpleName()
                + ": "
                + String.valueOf(root.getMessage()).lines().findFirst().orElse("")
                + ")";
      }
    }
    return reason;
  }

  /**
   * Throws {@link Unavailable} (one line, no stack trace) when ND4J cannot run; prints the build it
   * uses otherwise. Every ND4J benchmark's setup calls this first.
   */
  static void require() {
    String why = unavailableReason();
    if (!why.isEmpty()) {
      throw new Unavailable("ND4J skipped: " + why);
    }
    if (!announced) {
      announced = true;
      System.out.println("# " + describe());
    }
  }

  /** ND4J is missing here: JMH reports this benchmark as failed with this one line and goes on. */
  static final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The path of the ND4J native library this process mapped (from {@code /proc/self/maps}; JavaCPP
   * unpacks each build into a cache folder named after its jar), or {@code ""} if none is mapped.
   */
  static String loadedLibrary() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int at = line.indexOf('/');
        if (at >= 0 && line.contains("libnd4jcpu")) {
          return line.substring(at);
        }
      }
    } catch (IOException | RuntimeException e) {
      // no /proc: unknown
    }
    return "";
  }

  /**
   * Whether the class path holds ND4J's native build {@code build}, e.g. {@code linux-x86_64-avx2}.
   */
  static boolean shipped(String build) {
    String lib = "org/nd4j/linalg/cpu/nativecpu/bindings/" + build + "/libjnind4jcpu.so";
    return Nd4jNatives.class.getClassLoader().getResource(lib) != null;
  }

  /**
   * The build whose library this process mapped, e.g. {@code linux-x86_64-avx2} (from the cache
   * folder {@code nd4j-native-VERSION-BUILD.jar}), or {@code ""} before ND4J loaded.
   */
  static String loadedBuild() {
    Matcher m = Pattern.compile("nd4j-native-[^/]*?-(linux-[^/]+)\\.jar/").matcher(loadedLibrary());
    return m.find() ? m.group(1) : "";
  }

  /**
   * For the log and results, e.g. {@code "ND4J natives: linux-x86_64-avx2 (chosen from the CPU
   * flags)"}; names the build JavaCPP really loaded when it differs from the one asked for.
   */
  static synchronized String describe() {
    String asked = build();
    String loaded = loadedBuild();
    String how = chosenHere ? "chosen from the CPU flags" : "set by -D" + PROPERTY;
    if (!loaded.isEmpty() && !loaded.equals(asked)) {
      how += "; " + asked + (shipped(asked) ? " did not load" : " is not on the class path");
    }
    return String.format(
        Locale.ROOT, "ND4J natives: %s (%s)", loaded.isEmpty() ? asked : loaded, how);
  }
}
