package lore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class Nd4jNativesTest {
  /** An AVX2-only AMD EPYC (Zen 1), the CPU on which the AVX-512 build died of SIGILL. */
  static final Set<String> ZEN1 =
      Set.of(
          "fpu", "sse", "sse2", "ssse3", "fma", "cx16", "sse4_1", "sse4_2", "movbe", "popcnt",
          "aes", "xsave", "avx", "f16c", "rdrand", "bmi1", "avx2", "bmi2", "adx", "sha_ni");

  static Set<String> with(Set<String> base, String... more) {
    Set<String> s = new TreeSet<>(base);
    s.addAll(Set.of(more));
    return s;
  }

  @Test
  void avx2OnlyCpuGetsTheAvx2Build() {
    assertEquals("-avx2", Nd4jNatives.extensionFor("amd64", ZEN1));
  }

  @Test
  void avx512CpuGetsTheAvx512Build() {
    Set<String> zen5 = with(ZEN1, "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    assertEquals("-avx512", Nd4jNatives.extensionFor("amd64", zen5));
    // AVX-512F alone (Knights Landing) lacks BW/DQ/VL that the Skylake-targeted build uses
    assertEquals("-avx2", Nd4jNatives.extensionFor("amd64", with(ZEN1, "avx512f", "avx512cd")));
  }

  @Test
  void olderOrUnknownCpusGetTheGenericBuild() {
    assertEquals("", Nd4jNatives.extensionFor("amd64", Set.of("sse2", "avx")));
    assertEquals("", Nd4jNatives.extensionFor("amd64", Set.of()));
    assertEquals("", Nd4jNatives.extensionFor("aarch64", Set.of("fp", "asimd")));
  }

  @Test
  void thisMachineIsDescribedAndEitherLoadsOrSaysWhy() {
    String d = Nd4jNatives.describe();
    assertTrue(d.startsWith("ND4J natives: linux-"), d);
    String why = Nd4jNatives.unavailableReason();
    if (!why.isEmpty()) {
      assertTrue(why.contains(Nd4jNatives.build()), why);
      assertFalse(why.contains("\n"), "one line: " + why);
    } else if (!Nd4jNatives.loadedLibrary().isEmpty() && Nd4jNatives.shipped(Nd4jNatives.build())) {
      // the library mapped into this process is the build chosen for this CPU
      assertEquals(Nd4jNatives.build(), Nd4jNatives.loadedBuild(), Nd4jNatives.loadedLibrary());
      assertTrue(Nd4jNatives.describe().contains(Nd4jNatives.build()), Nd4jNatives.describe());
    }
  }
}
