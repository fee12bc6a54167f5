package dev.patchbay.server.spi;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** Tombstones of deleted documents. */
public interface TombstoneStore {

  /**
   * Stores a tombstone, replacing the document's previous one.
   *
   * @param tombstone the tombstone
   * @return a future completed once it is durable
   */
  CompletableFuture<Void> createTombstone(Tombstone tombstone);

  /**
   * Returns a document's tombstone.
   *
   * @param docId the document
   * @return the tombstone, or {@code null} when there is none or it has expired (by the store's
   *     clock)
   */
  @Nullable Tombstone getTombstone(String docId);

  /**
   * Removes a document's tombstone (undelete, or clean-up).
   *
   * @param docId the document
   * @return a future completed with whether a tombstone was removed, once that is durable
   */
  CompletableFuture<Boolean> removeTombstone(String docId);
}
