package dev.stt.local;

/** DJL settings that must be in place before the engine starts. */
final class Djl {
  private Djl() {}

  /**
   * Offline: libtorch and its JNI bridge come from the Maven artifacts on the class path, and DJL must never try to
   * download them. One inter-op thread and {@code threads} intra-op threads, as torch.set_num_threads does.
   */
  static void configure(int threads) {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", String.valueOf(threads));
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
