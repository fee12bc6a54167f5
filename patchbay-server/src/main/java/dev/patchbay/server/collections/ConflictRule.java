package dev.patchbay.server.collections;

import java.util.Locale;

/**
 * How a collection settles a write that conflicts with the stored record. A write conflicts when it
 * was not made against the stored version: its {@code baseVersion} is stale, or it gives none and
 * the record exists (for {@link #LWW}: its timestamp is older than the stored one).
 */
public enum ConflictRule {
  /**
   * Last write wins by timestamp; a tie goes to the later arrival. A stale PATCH is merged over the
   * stored record when it is not older. Never answers 409.
   */
  LWW("lww"),
  /** The stored record wins: a conflicting write is dropped and answered with the stored record. */
  SERVER_WINS("server-wins"),
  /** A conflicting write is refused with 409 and the stored record; the client resolves it. */
  REJECT("reject");

  private final String wireName;

  ConflictRule(String wireName) {
    this.wireName = wireName;
  }

  /** Returns the rule's name in settings ({@code lww}, {@code server-wins}, {@code reject}). */
  public String wireName() {
    return wireName;
  }

  /**
   * Returns the rule named {@code name} (case-insensitive; {@code last-write-wins} and {@code 409}
   * are accepted as aliases).
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static ConflictRule parse(String name) {
    String n = name.strip().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "lww", "last-write-wins" -> LWW;
      case "server-wins", "serverwins" -> SERVER_WINS;
      case "reject", "409" -> REJECT;
      default ->
          throw new IllegalArgumentException(
              "unknown conflict rule '" + name + "' (lww, server-wins or reject)");
    };
  }
}
