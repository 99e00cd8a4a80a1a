package lore;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

/**
 * Lets Jazzer 0.24.0 instrument this project's classes when fuzzing. Its bundled ASM reads class
 * files up to Java 23 (major version 67) and skips ours (release 25, major 69) with "Unsupported
 * class file major version 69", which leaves the fuzzer without coverage feedback. Java 24 and 25
 * added nothing to the class file format, so relabelling our classes as 67 before Jazzer's
 * transformer sees them is safe. Only in fuzzing mode ({@code JAZZER_FUZZ} set); regression runs
 * over the corpus need no instrumentation. A copy of this class lives in each module's tests.
 */
final class FuzzSupport {
  private static boolean installed;

  private FuzzSupport() {}

  /** Call from {@code @BeforeAll}: before Jazzer installs its agent and loads the classes. */
  static synchronized void relabelClassFilesForJazzer() throws ReflectiveOperationException {
    String fuzz = System.getenv("JAZZER_FUZZ");
    if (installed || fuzz == null || fuzz.isEmpty()) {
      return;
    }
    // the agent loader Jazzer itself uses: it caches the Instrumentation, so Jazzer gets the same
    // one, and a non-retransforming transformer added first runs before Jazzer's
    Instrumentation inst =
        (Instrumentation)
            Class.forName(
                    "com.code_intelligence.jazzer.third_party.net.bytebuddy.agent.ByteBuddyAgent")
                .getMethod("install")
                .invoke(null);
    inst.addTransformer(
        new ClassFileTransformer() {
          @Override
          public byte[] transform(
              ClassLoader loader, String name, Class<?> redefined, ProtectionDomain pd, byte[] b) {
            if (name == null || !name.startsWith("lore/") || b.length < 8) {
              return null;
            }
            int major = ((b[6] & 0xff) << 8) | (b[7] & 0xff);
            if (major <= 67) {
              return null;
            }
            byte[] out = b.clone();
            out[6] = 0;
            out[7] = 67;
            return out;
          }
        },
        false);
    installed = true;
  }
}
