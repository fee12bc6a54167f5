package dev.patchbay.client.spi;

import dev.patchbay.core.ot.Change;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a client store holds for one OT document: the committed state, its revision, and the pending
 * changes not yet acknowledged by the server, oldest first.
 *
 * @param state the committed state, or {@code null} when the document has none yet
 * @param committedRev the revision of {@code state}; 0 before the first server change
 * @param pending the pending changes, oldest first
 */
public record StoredDoc(@Nullable JsonNode state, long committedRev, List<Change> pending) {

  /** Validates the revision and copies the pending list. */
  public StoredDoc {
    if (committedRev < 0) {
      throw new IllegalArgumentException("committedRev must be >= 0, was " + committedRev);
    }
    pending = List.copyOf(pending);
  }

  /** Returns the record of a document the store has never seen. */
  public static StoredDoc empty() {
    return new StoredDoc(null, 0, List.of());
  }
}
