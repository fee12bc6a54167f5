package dev.patchbay.server.engine;

import java.security.SecureRandom;

/** Identifiers the server mints: 16-character version ids that sort by creation time. */
final class Ids {
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** Returns a version id: 8 base-62 digits of the time in ms, then 8 random base-62 digits. */
  static String versionId(long nowMillis) {
    char[] id = new char[16];
    long t = nowMillis;
    for (int i = 7; i >= 0; i--) {
      id[i] = BASE62[(int) (t % 62)];
      t /= 62;
    }
    for (int i = 8; i < 16; i++) {
      id[i] = BASE62[RANDOM.nextInt(62)];
    }
    return new String(id);
  }

  /** Returns {@code length} random base-62 characters. */
  static String random(int length) {
    char[] id = new char[length];
    for (int i = 0; i < length; i++) {
      id[i] = BASE62[RANDOM.nextInt(62)];
    }
    return new String(id);
  }
}
