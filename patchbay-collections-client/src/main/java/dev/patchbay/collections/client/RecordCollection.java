package dev.patchbay.collections.client;

import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One collection of records, local first: every call reads or writes the local store at once and
 * never waits for the network; each change is queued in the outbox in the same transaction and
 * pushed by the next sync. Records are JSON objects; the values returned are copies. Safe for use
 * from several threads.
 */
public interface RecordCollection {
  /** Returns the collection's name. */
  String name();

  /**
   * Stores {@code data} as a new record with a random UUID and queues its insert.
   *
   * @return the new record's id
   */
  String save(ObjectNode data);

  /**
   * Stores {@code data} as the whole record {@code id} (an upsert; a deleted record comes back), or
   * under a random UUID when {@code id} is null, and queues the change.
   *
   * @return the record's id
   * @throws IllegalArgumentException when the id is empty, longer than 256 characters or holds a
   *     {@code /} or a control character
   */
  String save(ObjectNode data, @Nullable String id);

  /**
   * Changes only the given fields of record {@code id} (a {@code null} value removes the field) and
   * queues exactly those fields as a patch.
   *
   * @throws dev.patchbay.core.PatchbayException with code 404 when the record is missing or deleted
   */
  void update(String id, ObjectNode fields);

  /** Returns the record, or null when it is missing or deleted. */
  @Nullable ObjectNode get(String id);

  /** Returns the live records in insertion order. */
  List<ObjectNode> getAll();

  /** Deletes the record (a soft delete, pushed as a tombstone); a missing id is no error. */
  void delete(String id);

  /**
   * Saves every record in one transaction: all of them or none. Each record's id is its {@code id}
   * field when that is a string, a random UUID otherwise; a repeated id is saved twice in order, so
   * the later one wins.
   *
   * @return the ids, in input order
   */
  List<String> saveAll(List<ObjectNode> records);

  /** Deletes every listed record in one transaction; unknown and repeated ids are ignored. */
  void deleteAll(List<String> ids);

  /** Returns a query over all live records, to narrow with {@link Query#where}. */
  Query query();

  /** Shorthand for {@code query().where(path, op, value)}. */
  default Query where(String path, Operator op, @Nullable Object value) {
    return query().where(path, op, value);
  }

  /** Shorthand for {@code query().orderBy(path, descending)}. */
  default Query orderBy(String path, boolean descending) {
    return query().orderBy(path, descending);
  }

  /**
   * Calls {@code listener} with all live records at once, then after every local or remote change;
   * shorthand for {@code query().watch(listener)}.
   */
  default Subscription watch(Consumer<List<ObjectNode>> listener) {
    return query().watch(listener);
  }

  /**
   * Settles a conflict kept by strategy {@link ConflictStrategy#MANUAL}: {@code chosen} becomes the
   * record (null deletes it), replaces its queued changes and is pushed against the server's
   * version, unless it equals the server's record.
   *
   * @throws dev.patchbay.core.PatchbayException with code 404 when the record has no pending
   *     conflict
   */
  void resolveConflict(String id, @Nullable ObjectNode chosen);

  /** Returns the record's sync state, or null when the record is not stored at all. */
  @Nullable SyncStatus status(String id);
}
