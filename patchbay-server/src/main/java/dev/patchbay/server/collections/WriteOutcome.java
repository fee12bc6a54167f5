package dev.patchbay.server.collections;

import dev.patchbay.server.spi.CollectionRecord;
import org.jspecify.annotations.Nullable;

/**
 * What became of a write.
 *
 * @param result how it was settled
 * @param record the record as stored afterwards; {@code null} only for {@link Result#NOT_FOUND}
 */
record WriteOutcome(Result result, @Nullable CollectionRecord record) {

  enum Result {
    /** Stored as a new version. */
    APPLIED,
    /** The same change again (same change id, or same data and timestamp): nothing changed. */
    DUPLICATE,
    /** Lost a conflict (last-write-wins with an older timestamp, or server-wins): dropped. */
    IGNORED,
    /** Conflicts under the reject rule: refused, answered 409 with the stored record. */
    CONFLICT,
    /** A patch or delete of a record that does not exist (or is deleted, for a patch). */
    NOT_FOUND
  }

  boolean applied() {
    return result == Result.APPLIED;
  }
}
