package dev.patchbay.server.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The record that a document was deleted, so late clients learn it is gone rather than never
 * existed (410). Instances are immutable.
 *
 * @param docId the deleted document
 * @param deletedAt deletion time, epoch milliseconds
 * @param lastRev the document's revision before deletion
 * @param deletedByClientId the connection that deleted it, or {@code null}
 * @param expiresAt when the tombstone lapses (epoch milliseconds), or {@code null} for never
 */
public record Tombstone(
    String docId,
    long deletedAt,
    long lastRev,
    @Nullable String deletedByClientId,
    @Nullable Long expiresAt) {

  /** Validates the document id and the revision. */
  public Tombstone {
    Objects.requireNonNull(docId, "docId");
    if (docId.isEmpty()) {
      throw new IllegalArgumentException("docId must not be empty");
    }
    if (lastRev < 0) {
      throw new IllegalArgumentException("lastRev must not be negative: " + lastRev);
    }
  }

  /** Returns whether this tombstone has lapsed at {@code nowMillis}. */
  public boolean isExpired(long nowMillis) {
    return expiresAt != null && expiresAt <= nowMillis;
  }
}
