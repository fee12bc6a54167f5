package dev.patchbay.collections.client;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A change in the outbox, as {@link CollectionsClient#pendingOperations()} lists it.
 *
 * @param id the outbox position; operations are pushed in this order
 * @param collection the collection
 * @param recordId the record
 * @param type what the change does
 * @param status where it is
 * @param retryCount how many times the server refused it
 * @param lastError the last refusal or failure, if any
 * @param timestamp when the change was made locally
 */
public record PendingOperation(
    long id,
    String collection,
    String recordId,
    OperationType type,
    OperationStatus status,
    int retryCount,
    @Nullable String lastError,
    Instant timestamp) {
  /** Validates the components. */
  public PendingOperation {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
