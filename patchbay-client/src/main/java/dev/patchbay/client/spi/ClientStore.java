package dev.patchbay.client.spi;

import dev.patchbay.client.QuarantinedChange;
import dev.patchbay.core.ot.Change;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Where the client keeps documents between edits and across restarts: the tracked document ids; per
 * document its committed state, committed revision, pending changes and the change in flight
 * ({@link StoredDoc}); tombstones of documents deleted locally whose deletion the server has not
 * confirmed yet; and quarantined changes (ones the server rejected for good).
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
   * committed state and revision, pending queue rebased), acknowledged changes were dropped, or a
   * last-write-wins document moved its pending change to {@code sending}.
   *
   * @param docId the document
   * @param doc the committed state and revision, the full pending queue and the sending change
   */
  void saveDoc(String docId, StoredDoc doc);

  /**
   * Replaces everything stored for {@code docId} at once, with no change in flight; the same as
   * {@code saveDoc(docId, new StoredDoc(state, committedRev, pending))}.
   *
   * @param docId the document
   * @param state the committed state, or {@code null} for none
   * @param committedRev the revision of {@code state}
   * @param pending the full pending queue, oldest first
   */
  default void saveDoc(
      String docId, @Nullable JsonNode state, long committedRev, List<Change> pending) {
    saveDoc(docId, new StoredDoc(state, committedRev, pending));
  }

  /**
   * Removes everything stored for {@code docId} (state, pending and sending changes) and stops
   * tracking it; used when another client deleted the document. Quarantined changes stay.
   */
  void deleteDoc(String docId);

  /**
   * Deletes {@code docId} locally and remembers that the server must delete it too, in one step:
   * like {@link #deleteDoc}, and a tombstone for the id is kept until {@link #removeTombstone}.
   */
  void addTombstone(String docId);

  /** Returns the ids of the documents deleted locally and not yet on the server, immutable. */
  Set<String> tombstones();

  /** Forgets the tombstone of {@code docId} (the server confirmed the deletion); idempotent. */
  void removeTombstone(String docId);

  /**
   * Quarantines changes the server rejected for good and saves what is left of the document, in one
   * step: {@code changes} join the quarantine and {@code remaining} replaces the document.
   *
   * @param docId the document the changes belong to
   * @param changes the rejected changes, each with {@code docId} as its document
   * @param remaining the document without them (pending queue or sending change)
   */
  void quarantine(String docId, List<QuarantinedChange> changes, StoredDoc remaining);

  /** Returns every quarantined change, oldest first, as an immutable list. */
  List<QuarantinedChange> quarantinedChanges();

  /**
   * Discards one quarantined change for good.
   *
   * @return whether it was there
   */
  boolean discardQuarantined(String docId, String changeId);

  /** Releases the store's resources. The store must not be used afterwards. */
  @Override
  void close();
}
