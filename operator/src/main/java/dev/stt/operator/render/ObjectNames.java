package dev.stt.operator.render;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names derived from the resource's name. A resource name may have 253 characters and dots; pod host names, Service
 * names and label values may not, so long names are cut and suffixed with a hash of the whole name to stay unique.
 */
public final class ObjectNames {
  static final int DNS_LABEL_MAX = 63;
  static final int DNS_SUBDOMAIN_MAX = 253;
  private static final int HASH_LENGTH = 8;

  private ObjectNames() {}

  public static String configMap(String training) {
    return fit(training, "-config", DNS_SUBDOMAIN_MAX);
  }

  /** Worker pods are their own host names, so their names are DNS labels. */
  public static String workerPod(String training, int index) {
    return fit(label(training), training, "-worker-" + index, DNS_LABEL_MAX);
  }

  /** Service names are RFC 1035 labels: they must start with a letter. */
  public static String rendezvousService(String training) {
    String base = label(training);
    return fit(Character.isLetter(base.charAt(0)) ? base : "w" + base, training, "-workers", DNS_LABEL_MAX);
  }

  public static String labelValue(String training) {
    return fit(training, "", DNS_LABEL_MAX);
  }

  /** Events need unique names; long resource names leave less room before the suffix. */
  public static String event(String training, String unique) {
    return fit(training, "." + unique, DNS_SUBDOMAIN_MAX);
  }

  private static String label(String name) {
    return name.replace('.', '-');
  }

  static String fit(String base, String suffix, int max) {
    return fit(base, base, suffix, max);
  }

  /**
   * {@code base} + {@code suffix} within {@code max} characters. When {@code base} had to be altered from
   * {@code original} (dots replaced, a prefix added) or cut, a hash of the original keeps distinct names distinct.
   */
  private static String fit(String base, String original, String suffix, int max) {
    boolean altered = !base.equals(original);
    if (!altered && base.length() + suffix.length() <= max) {
      return base + suffix;
    }
    int room = max - suffix.length() - HASH_LENGTH - 1;
    String head = base.substring(0, Math.min(base.length(), room)).replaceAll("[-.]+$", "");
    return head + "-" + hash(original) + suffix;
  }

  private static String hash(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
