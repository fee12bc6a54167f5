package dev.patchbay.collections.client;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A conflict waiting for the app (strategy {@link ConflictStrategy#MANUAL}).
 *
 * @param collection the collection
 * @param recordId the record
 * @param local the local record, or null when it was deleted locally
 * @param remote the server's record, or null when it was deleted there
 * @param localTime when the local change was made
 * @param remoteTime the server record's {@code updatedAt}
 * @param remoteVersion the server record's version; the resolution is pushed against it
 */
public record Conflict(
    String collection,
    String recordId,
    @Nullable ObjectNode local,
    @Nullable ObjectNode remote,
    Instant localTime,
    Instant remoteTime,
    long remoteVersion) {
  /** Validates the components. */
  public Conflict {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(recordId, "recordId");
    Objects.requireNonNull(localTime, "localTime");
    Objects.requireNonNull(remoteTime, "remoteTime");
  }
}
