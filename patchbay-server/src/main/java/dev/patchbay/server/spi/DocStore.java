package dev.patchbay.server.spi;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A document store: everything the sync engine persists. Implementations are thread-safe; every
 * method may be called from any thread at any time.
 *
 * <p><b>Reads</b> are synchronous and see every write whose future has completed. <b>Writes</b>
 * return a {@link CompletableFuture} that completes only once the write is durable (for a
 * persistent store: on disk, surviving a crash of the process); a write that fails changes nothing.
 * A future may be completed on a thread internal to the store: attach dependent work with the
 * {@code *Async} methods and an executor of your own, never block in a dependent stage.
 *
 * <p>Failures: {@link RevConflictException} and {@link DuplicateChangeIdException} (409) for the
 * uniqueness rules of the change log; a {@link dev.patchbay.core.PatchbayException} with code 400
 * for an invalid argument, 409 for another conflict, 503 when the store is closed or overloaded
 * (retryable) and 500 for a storage failure. Reads throw them, writes complete their future with
 * them.
 */
public interface DocStore
    extends ChangeStore, VersionStore, LwwStore, TombstoneStore, AutoCloseable {

  /**
   * Deletes every piece of data of a document: its change log, versions and their states, and its
   * last-write-wins state and seen change ids. Its tombstone, if any, is kept: the engine writes
   * the tombstone before and removes it on undelete. Deleting an unknown document succeeds.
   *
   * @param docId the document
   * @return a future completed once the deletion is durable
   */
  CompletableFuture<Void> deleteDoc(String docId);

  /**
   * Finishes every write already accepted, makes it durable and releases the store's resources.
   * Afterwards reads throw and writes fail with code 503. Closing twice has no further effect. Do
   * not close a store from a dependent stage of one of its futures: that may run on the store's own
   * writer thread, which close waits for.
   *
   * @throws IllegalStateException when called on the store's writer thread
   */
  @Override
  void close();

  /**
   * Returns the store of record collections kept alongside the documents (in the same file or
   * database, closed with this store), or {@code null} when this store keeps none; the server then
   * serves no collection routes. The default keeps none.
   */
  default @Nullable CollectionStore collections() {
    return null;
  }
}
