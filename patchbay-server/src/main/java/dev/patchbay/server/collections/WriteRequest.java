package dev.patchbay.server.collections;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * One write to a record, from any dialect.
 *
 * @param kind replace the whole record, merge fields into it, or delete it
 * @param collection the collection
 * @param recordId the record
 * @param data the record ({@link Kind#PUT}) or the fields to merge, null removing a field ({@link
 *     Kind#PATCH}); {@code null} for {@link Kind#DELETE}
 * @param timestamp the client's timestamp in epoch milliseconds, or {@code null} (server time)
 * @param baseVersion the version the client's write was made against, or {@code null}
 * @param changeId the client's id of this change, deduplicated across transports, or {@code null}
 * @param originId the connection that sent it (excluded from fan-out), or {@code null} (HTTP)
 * @param userId the writer's subject, sent along in broadcasts
 */
record WriteRequest(
    Kind kind,
    String collection,
    String recordId,
    @Nullable ObjectNode data,
    @Nullable Long timestamp,
    @Nullable Long baseVersion,
    @Nullable String changeId,
    @Nullable String originId,
    String userId) {

  enum Kind {
    PUT,
    PATCH,
    DELETE
  }

  WriteRequest {
    Objects.requireNonNull(kind, "kind");
    Names.requireCollection(collection);
    Names.requireRecordId(recordId);
    Objects.requireNonNull(userId, "userId");
    if ((data == null) != (kind == Kind.DELETE)) {
      throw new IllegalArgumentException(
          "data is required for PUT and PATCH and absent for DELETE");
    }
  }
}
