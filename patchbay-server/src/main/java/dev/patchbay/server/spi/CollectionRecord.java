package dev.patchbay.server.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One record of a collection as stored: its latest state and its place in the collection's change
 * feed. A deleted record is a tombstone: {@code deleted} is true and {@code data} an empty object;
 * it keeps its version and takes a feed position like any other write, so pulls see the delete.
 *
 * <p>Instances are immutable and can be shared between threads; {@code data} must not be mutated.
 *
 * @param collection the collection's name
 * @param recordId the record's id within the collection
 * @param data the record's JSON object (an empty object for a tombstone)
 * @param version 1 for the first write, +1 for every write after it (deletes included)
 * @param seq the record's position in the collection's change feed: the collection's sequence
 *     number of the write that produced this state; unique and increasing within a collection
 * @param updatedAt the write's timestamp in epoch milliseconds (the client's, or the server's when
 *     the client gave none); last-write-wins compares these
 * @param deleted whether this is a tombstone
 * @param updatedBy the subject of the identity that wrote this state, when known
 * @param changeId the client's change id of the write that produced this state, when it sent one: a
 *     device whose push answer was lost recognises its own write in a pull by it
 */
public record CollectionRecord(
    String collection,
    String recordId,
    JsonNode data,
    long version,
    long seq,
    long updatedAt,
    boolean deleted,
    @Nullable String updatedBy,
    @Nullable String changeId) {

  /**
   * A record without a change id (a write that carried none, or a store that does not keep them).
   */
  public CollectionRecord(
      String collection,
      String recordId,
      JsonNode data,
      long version,
      long seq,
      long updatedAt,
      boolean deleted,
      @Nullable String updatedBy) {
    this(collection, recordId, data, version, seq, updatedAt, deleted, updatedBy, null);
  }

  /** Validates the components. */
  public CollectionRecord {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(data, "data");
    if (!data.isObject()) {
      throw new IllegalArgumentException("a record's data is a JSON object");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be at least 1, was " + version);
    }
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be at least 1, was " + seq);
    }
  }
}
