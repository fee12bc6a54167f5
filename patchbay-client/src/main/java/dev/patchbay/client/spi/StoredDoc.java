package dev.patchbay.client.spi;

import dev.patchbay.core.ot.Change;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a client store holds for one document: the committed state, its revision, the change in
 * flight to the server ({@code sending}, last-write-wins documents only), and the pending changes
 * not yet sent, oldest first.
 *
 * <p>An OT document keeps its in-flight changes at the head of {@code pending} (they stay there,
 * and keep their ids, until the server acknowledges them), so its {@code sending} is always {@code
 * null}. A last-write-wins document keeps at most one pending change, its edits consolidated per
 * path, and moves it to {@code sending} when it sends it; a resend after a restart reuses it.
 *
 * @param state the committed state, or {@code null} when the document has none yet
 * @param committedRev the revision of {@code state}; 0 before the first server change
 * @param pending the pending changes, oldest first
 * @param sending the change in flight (last-write-wins documents), or {@code null}
 */
public record StoredDoc(
    @Nullable JsonNode state, long committedRev, List<Change> pending, @Nullable Change sending) {

  /** Validates the revision and copies the pending list. */
  public StoredDoc {
    if (committedRev < 0) {
      throw new IllegalArgumentException("committedRev must be >= 0, was " + committedRev);
    }
    pending = List.copyOf(pending);
  }

  /** Returns the record of a document with nothing in flight (every OT document). */
  public StoredDoc(@Nullable JsonNode state, long committedRev, List<Change> pending) {
    this(state, committedRev, pending, null);
  }

  /** Returns the record of a document the store has never seen. */
  public static StoredDoc empty() {
    return new StoredDoc(null, 0, List.of(), null);
  }
}
