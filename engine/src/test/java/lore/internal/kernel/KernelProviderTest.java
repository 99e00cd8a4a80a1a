package lore.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class KernelProviderTest {

  /**
   * The guard against a silent fallback: every surefire execution that adds the Vector API module
   * sets {@code lore.test.expectKernels=panama}, the one without it {@code scalar}
   * (engine/pom.xml), and a run that chose other kernels than expected fails here.
   */
  @Test
  void selectedImplementationIsTheExpectedOne() {
    String expected = System.getProperty("lore.test.expectKernels");
    String name = KernelProvider.get().name();
    if (expected == null) {
      return; // run outside Maven: nothing to guard
    }
    assertTrue(
        name.startsWith(expected),
        "expected " + expected + " kernels but got " + name + " (silent fallback?)");
    if (name.startsWith("panama/") && System.getProperty("lore.kernels.maxBits") != null) {
      int bits = Integer.parseInt(name.substring("panama/".length()));
      assertTrue(
          bits >= 128 && bits <= KernelProvider.maxBits(),
          name + " is wider than lore.kernels.maxBits=" + KernelProvider.maxBits());
    }
  }

  @Test
  void badWidthIsRejectedWithItsValue() {
    String old = System.getProperty("lore.kernels.maxBits");
    try {
      for (String bad : new String[] {"64", "100", "wide", "-256"}) {
        System.setProperty("lore.kernels.maxBits", bad);
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("auto"));
        assertTrue(e.getMessage().contains(bad), e.getMessage());
      }
      System.setProperty("lore.kernels.maxBits", "256");
      assertEquals(256, KernelProvider.maxBits());
    } finally {
      if (old == null) {
        System.clearProperty("lore.kernels.maxBits");
      } else {
        System.setProperty("lore.kernels.maxBits", old);
      }
    }
  }

  @Test
  void unknownModeIsRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> KernelProvider.choose("avx"));
    assertTrue(e.getMessage().contains("avx"), e.getMessage());
  }

  @Test
  void panamaModeFailsLoudlyWithoutTheModule() {
    if (KernelProvider.panamaAvailable()) {
      assertTrue(KernelProvider.choose("panama").name().startsWith("panama/"));
    } else {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> KernelProvider.choose("panama"));
      assertTrue(e.getMessage().contains("--add-modules jdk.incubator.vector"), e.getMessage());
      assertEquals("scalar", KernelProvider.choose("auto").name());
    }
  }

  /**
   * Only the Vector API kernel file may import jdk.incubator: it is loaded by reflection, so no
   * other class links against the incubator module and the engine runs without it.
   */
  @Test
  void onlyPanamaKernelsImportsTheIncubatorModule() throws IOException {
    Path src = Path.of("src/main/java");
    assertTrue(Files.isDirectory(src), "run from the engine module directory");
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(src)) {
      offenders =
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> !p.getFileName().toString().equals("PanamaKernels.java"))
              .filter(
                  p -> {
                    try {
                      return Files.readString(p).contains("import jdk.incubator");
                    } catch (IOException e) {
                      throw new RuntimeException(e);
                    }
                  })
              .toList();
    }
    assertEquals(List.of(), offenders);
  }
}
