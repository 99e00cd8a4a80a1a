package lore.bench;

/** JVM flags shared by the {@code @Fork} annotations (compile-time constants). */
final class Flags {
  private Flags() {}

  static final String VECTOR = "--add-modules=jdk.incubator.vector";

  /** JavaCPP 1.5.7 calls System::load and sun.misc.Unsafe; JDK 25 warns about both otherwise. */
  static final String NATIVE = "--enable-native-access=ALL-UNNAMED";

  static final String UNSAFE = "--sun-misc-unsafe-memory-access=allow";

  /** JavaCPP caps off-heap memory at -Xmx by default; ND4J copies of the inputs live off-heap. */
  static final String MAXBYTES = "-Dorg.bytedeco.javacpp.maxbytes=6G";

  static final String MAXPHYSICAL = "-Dorg.bytedeco.javacpp.maxphysicalbytes=18G";

  static final String PRETOUCH = "-XX:+AlwaysPreTouch";
}
