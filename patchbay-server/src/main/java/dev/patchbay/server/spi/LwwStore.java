package dev.patchbay.server.spi;

import dev.patchbay.core.patch.PatchOp;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/**
 * Last-write-wins documents: per document a map path → winning op, an optional snapshot, a revision
 * counter and the recently committed change ids. There is no change log; the engine consolidates
 * incoming ops against the rows and stores the winners.
 */
public interface LwwStore {

  /**
   * Returns everything stored for a document.
   *
   * @param docId the document
   * @return the state; {@link LwwState#EMPTY} for a document never written
   */
  LwwState loadLww(String docId);

  /**
   * Returns a document's revision counter without reading its rows.
   *
   * @param docId the document
   * @return the current revision, 0 for a document never written
   */
  long lwwRev(String docId);

  /**
   * Returns the rows written after a revision, in commit order (by {@code rev}, then {@code ts},
   * then path; a row below another row of the same revision always after it, as {@link
   * dev.patchbay.core.lww.Lww#commitOrder} orders): what {@code getChangesSince} synthesizes its
   * change from.
   *
   * @param docId the document
   * @param afterRev the exclusive lower bound
   * @return the ops, possibly empty; an unmodifiable list
   */
  List<PatchOp> listLwwOps(String docId, long afterRev);

  /**
   * Stores one write atomically and increments the revision counter. In order: the counter is
   * incremented to {@code newRev}; the rows at and under every path of {@code pathsToDelete} are
   * removed; then each op, in list order, replaces the row at its path, removes the rows under that
   * path, and is stored with its {@code rev} set to {@code newRev}; finally the change ids are
   * remembered until their expiry. Ids whose expiry has passed may be forgotten by any write.
   *
   * @param docId the document
   * @param write the rows to delete and store and the ids to remember
   * @return a future completed with {@code newRev} once the write is durable
   */
  CompletableFuture<Long> saveLwwOps(String docId, LwwWrite write);

  /**
   * Returns which of the given change ids a write of this document remembers and whose expiry has
   * not passed (by the store's clock).
   *
   * @param docId the document
   * @param ids the ids to check
   * @return the ids seen before; an unmodifiable set
   */
  Set<String> seenLwwChangeIds(String docId, Collection<String> ids);

  /**
   * Replaces the document's snapshot. The rows are kept (consolidation still compares against
   * them); the revision counter is raised to {@code rev} if it is below.
   *
   * @param docId the document
   * @param state the state including every op up to {@code rev}
   * @param rev the revision the state includes
   * @return a future completed once the snapshot is durable
   */
  CompletableFuture<Void> saveLwwSnapshot(String docId, JsonNode state, long rev);
}
