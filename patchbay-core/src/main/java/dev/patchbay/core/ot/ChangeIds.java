package dev.patchbay.core.ot;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Mints ids for changes the core derives (split pieces): the revision in base 62 followed by four
 * random base-62 characters, the shape the Patches client gives derived changes. Only uniqueness
 * within a document matters; the revision prefix keeps collisions between revisions impossible.
 */
final class ChangeIds {
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

  private ChangeIds() {}

  static String forRev(long rev) {
    StringBuilder sb = new StringBuilder(12);
    long v = Math.max(0, rev);
    do {
      sb.append(ALPHABET.charAt((int) (v % 62)));
      v /= 62;
    } while (v > 0);
    sb.reverse();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 4; i++) {
      sb.append(ALPHABET.charAt(random.nextInt(62)));
    }
    return sb.toString();
  }
}
