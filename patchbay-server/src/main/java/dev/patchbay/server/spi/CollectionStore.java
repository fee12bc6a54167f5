package dev.patchbay.server.spi;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Collections of records: per collection the latest state of every record (tombstones included),
 * ordered by a per-collection sequence number that is the collection's change feed, plus the
 * recently applied change ids. The collection engine is the only writer of a collection and assigns
 * the sequence numbers; the store keeps them and enforces that they only grow.
 *
 * <p>The rules of {@link DocStore} apply: implementations are thread-safe, reads are synchronous
 * and see every write whose future has completed, writes complete their future once durable and a
 * failed write changes nothing. Futures may complete on a store thread: chain with {@code *Async}.
 */
public interface CollectionStore {

  /**
   * Returns a record's latest state.
   *
   * @param collection the collection
   * @param recordId the record
   * @return the record (possibly a tombstone), or {@code null} when it was never written
   */
  @Nullable CollectionRecord getRecord(String collection, String recordId);

  /**
   * Returns the collection's newest sequence number: the {@code seq} of its last write.
   *
   * @param collection the collection
   * @return the sequence number, 0 for a collection never written
   */
  long lastSeq(String collection);

  /**
   * Returns the change feed after a position: every record whose {@code seq} is greater than {@code
   * afterSeq}, tombstones included, in {@code seq} order. A record written several times appears
   * once, in its latest state, at its latest position.
   *
   * @param collection the collection
   * @param afterSeq the exclusive lower bound (0 for the whole collection)
   * @param limit the most records returned, at least 1
   * @return the records; an unmodifiable list
   */
  List<CollectionRecord> changesAfter(String collection, long afterSeq, int limit);

  /**
   * Returns how many records of the collection are not deleted.
   *
   * @param collection the collection
   * @return the count
   */
  long countLive(String collection);

  /**
   * Returns which of the given change ids a write of this collection remembers and whose expiry has
   * not passed (by the store's clock).
   *
   * @param collection the collection
   * @param changeIds the ids to check
   * @return the ids seen before; an unmodifiable set
   */
  Set<String> seenChangeIds(String collection, Collection<String> changeIds);

  /**
   * Stores a batch of record states atomically: each replaces the stored state of its record, in
   * list order. The {@code seq} of every record must be greater than the collection's {@link
   * #lastSeq} and than the one before it in the list; otherwise nothing is stored and the future
   * fails with a {@link dev.patchbay.core.PatchbayException} 409. The change ids are remembered
   * until {@code changeIdsExpireAt}; ids whose expiry passed may be forgotten by any write.
   *
   * @param collection the collection every record belongs to
   * @param records the new states, at least one, all of {@code collection}
   * @param changeIds the change ids the batch applied (possibly empty)
   * @param changeIdsExpireAt when the ids may be forgotten, in epoch milliseconds
   * @return a future completed once the batch is durable
   */
  CompletableFuture<Void> write(
      String collection,
      List<CollectionRecord> records,
      Collection<String> changeIds,
      long changeIdsExpireAt);

  /**
   * Returns the collection's purge horizon: the highest sequence number of a tombstone removed by
   * {@link #purgeTombstones}, 0 when none was. A client whose cursor is above 0 and below it may
   * have missed deletes and must pull the whole collection again.
   *
   * @param collection the collection
   * @return the horizon, 0 for a collection never purged
   */
  long purgedThrough(String collection);

  /**
   * Returns the names of every collection that has been written, in no particular order.
   *
   * @return the names; an unmodifiable list
   */
  List<String> collectionNames();

  /**
   * Removes the collection's tombstones whose {@code updatedAt} is before {@code deletedBefore} and
   * raises its {@link #purgedThrough} horizon to the highest sequence number removed. Live records
   * and the collection's {@link #lastSeq} are untouched.
   *
   * @param collection the collection
   * @param deletedBefore the exclusive bound, epoch milliseconds
   * @return a future completed with the number of tombstones removed, once that is durable
   */
  CompletableFuture<Integer> purgeTombstones(String collection, long deletedBefore);
}
