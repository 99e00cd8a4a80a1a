package lore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The engine's module exports its API package only; internals go to named project modules. */
class ModuleBoundaryTest {
  @Test
  void onlyTheApiIsExportedToEveryone() throws IOException {
    Path info = Path.of("target/classes/module-info.class");
    assertTrue(Files.exists(info), "run from the engine module after compiling");
    ModuleDescriptor d;
    try (InputStream in = Files.newInputStream(info)) {
      d = ModuleDescriptor.read(in);
    }
    assertEquals("lore.engine", d.name());
    Set<String> open = new TreeSet<>();
    Map<String, Set<String>> qualified = new TreeMap<>();
    for (ModuleDescriptor.Exports e : d.exports()) {
      if (e.isQualified()) {
        qualified.put(e.source(), new TreeSet<>(e.targets()));
      } else {
        open.add(e.source());
      }
    }
    assertEquals(Set.of("lore"), open);
    assertEquals(
        Map.of(
            "lore.internal.kernel", Set.of("lore.experiment", "lore.bench", "lore.spark"),
            "lore.internal.train", Set.of("lore.experiment", "lore.bench", "lore.spark"),
            "lore.internal.io", Set.of("lore.datasets")),
        qualified);
    assertTrue(
        d.requires().stream()
            .noneMatch(r -> !r.name().startsWith("java.") && !r.name().startsWith("jdk.")),
        "no runtime dependency: " + d.requires());
  }
}
