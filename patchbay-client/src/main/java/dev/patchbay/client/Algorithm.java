package dev.patchbay.client;

/**
 * How a document merges concurrent edits. The server decides per document id (its {@code --lww}
 * patterns); a client must use the same algorithm for the same id, which {@link
 * Patches.Builder#lww} arranges with the same patterns.
 */
public enum Algorithm {
  /**
   * Operational transformation: every edit is kept and transformed over concurrent ones (text,
   * arrays, counters all merge). The default.
   */
  OT,
  /**
   * Last writer wins per JSON path: the edit with the later timestamp wins; counters and the other
   * combinable ops ({@code @inc}, {@code @bit}, {@code @max}, {@code @min}) combine. For settings,
   * presence-like fields and other documents of independent fields.
   */
  LWW
}
