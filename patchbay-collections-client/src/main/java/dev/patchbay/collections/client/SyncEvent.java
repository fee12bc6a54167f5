package dev.patchbay.collections.client;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One event on the client's event stream ({@link CollectionsClient#onEvent}).
 *
 * @param type what happened
 * @param collection the collection concerned, if any
 * @param recordId the record concerned, if any
 * @param metadata details by type (see {@link SyncEventType}); a copy per listener is not made, so
 *     listeners must not change it
 * @param timestamp when it happened (the client's clock)
 * @param error the failure, for {@code SYNC_FAILED} and {@code OPERATION_FAILED}
 */
public record SyncEvent(
    SyncEventType type,
    @Nullable String collection,
    @Nullable String recordId,
    ObjectNode metadata,
    Instant timestamp,
    @Nullable String error) {
  /** Validates the components. */
  public SyncEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
