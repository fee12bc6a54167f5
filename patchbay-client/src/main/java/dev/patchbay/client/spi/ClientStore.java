package dev.patchbay.client.spi;

import dev.patchbay.core.ot.Change;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Where the client keeps documents between edits and across restarts: the tracked document ids, and
 * per document its committed state, committed revision and pending changes.
 *
 * <p>Implementations must be safe for use from several threads. Every method is atomic: a reader
 * never sees half of a {@link #saveDoc} or {@link #appendPending}. Stored {@link JsonNode} trees
 * are never modified by the client, and implementations must not modify them either. What is loaded
 * must equal what was stored as JSON ({@code Json.equal}); a durable store keeps the wire form, so
 * a number may come back as another node type of the same value.
 */
public interface ClientStore extends AutoCloseable {

  /** Adds {@code docIds} to the tracked documents (those the sync coordinator keeps in sync). */
  void trackDocs(Collection<String> docIds);

  /** Removes {@code docIds} from the tracked documents; their stored data stays. */
  void untrackDocs(Collection<String> docIds);

  /** Returns the tracked document ids, as an immutable set. */
  Set<String> trackedDocs();

  /** Returns whether {@code docId} is tracked. */
  default boolean isTracked(String docId) {
    return trackedDocs().contains(docId);
  }

  /**
   * Returns what the store holds for {@code docId}.
   *
   * @return the stored document, or {@code null} when the store has nothing for it
   */
  @Nullable StoredDoc loadDoc(String docId);

  /** Appends one pending change to the end of {@code docId}'s pending queue. */
  void appendPending(String docId, Change change);

  /**
   * Replaces everything stored for {@code docId} at once: after server changes were applied (new
   * committed state and revision, pending queue rebased) or acknowledged changes were dropped.
   *
   * @param docId the document
   * @param state the committed state, or {@code null} for none
   * @param committedRev the revision of {@code state}
   * @param pending the full pending queue, oldest first
   */
  void saveDoc(String docId, @Nullable JsonNode state, long committedRev, List<Change> pending);

  /**
   * Removes everything stored for {@code docId} (state, pending changes) and stops tracking it;
   * used once the server confirmed the document is deleted.
   */
  void deleteDoc(String docId);

  /** Releases the store's resources. The store must not be used afterwards. */
  @Override
  void close();
}
