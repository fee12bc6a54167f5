package dev.patchbay.server.spi;

import dev.patchbay.core.ot.Change;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The committed change log of OT documents: per document the changes with revisions 1, 2, 3, … (0
 * means empty). The store does not assign revisions; it keeps the two uniqueness rules the protocol
 * rests on, atomically with the write: one change per {@code (doc, rev)} and one per {@code (doc,
 * change id)}. The second makes re-sent changes idempotent even when a client rebased them onto a
 * newer base revision.
 */
public interface ChangeStore {

  /**
   * Returns the highest committed revision of a document, or 0 when it has no change.
   *
   * @param docId the document
   * @return the head revision
   */
  long currentRev(String docId);

  /**
   * Returns committed changes of a document, ordered by revision (descending when the query is
   * {@linkplain ChangeQuery#reversed() reversed}).
   *
   * @param docId the document
   * @param query the revision window, limit and order
   * @return the changes, possibly empty; an unmodifiable list
   */
  List<Change> listChanges(String docId, ChangeQuery query);

  /**
   * Returns the committed changes with revisions greater than {@code afterRev}, in order.
   *
   * @param docId the document
   * @param afterRev the exclusive lower bound, 0 for the whole log
   * @return the changes, possibly empty; an unmodifiable list
   */
  default List<Change> listChanges(String docId, long afterRev) {
    return listChanges(docId, ChangeQuery.after(afterRev));
  }

  /**
   * Returns the committed copies of the changes with the given ids; ids that were not committed are
   * absent from the map. Used to answer a re-sent change with the copy that was committed.
   *
   * @param docId the document
   * @param ids the change ids to look up
   * @return committed change by id; an unmodifiable map
   */
  Map<String, Change> findChanges(String docId, Collection<String> ids);

  /**
   * Appends committed changes to a document's log, all or nothing. Each change is stored exactly as
   * given (every member, metadata verbatim); the caller has already stamped revisions and times.
   * The revisions need not follow the head (a root replace may skip revisions) but must be
   * positive.
   *
   * <p>The future fails, and nothing of the list is written, with {@link
   * DuplicateChangeIdException} naming every id already committed for the document or repeated in
   * the list; otherwise with {@link RevConflictException} when a revision is already taken or
   * repeated in the list; with a 400 {@link dev.patchbay.core.PatchbayException} when a revision is
   * not positive. An empty list completes at once and writes nothing.
   *
   * @param docId the document
   * @param changes the committed changes
   * @return a future completed once all changes are durable
   */
  CompletableFuture<Void> saveChanges(String docId, List<Change> changes);

  /**
   * Saves committed changes like {@link #saveChanges(String, List)}, but only if the document's
   * current revision is still {@code expectedRev}, checked atomically with the write; otherwise the
   * future fails with {@link RevConflictException} and nothing is written. A writer that queues
   * several dependent writes of one document uses it so that when one fails, every later one fails
   * too instead of leaving a gap in the revisions.
   *
   * @param docId the document
   * @param expectedRev the revision the document must have when the write is applied
   * @param changes the committed changes
   * @return a future completed once all changes are durable
   */
  CompletableFuture<Void> saveChanges(String docId, long expectedRev, List<Change> changes);
}
