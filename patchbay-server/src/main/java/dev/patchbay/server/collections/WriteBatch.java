package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.Identity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Several writes in one message, answered one result per write in the same order: the batch push of
 * {@code POST /sync/{c}} (a body with {@code operations}) and of the {@code batch} message on
 * {@code /sync/ws}. Each operation is {@code {op: "put"|"patch"|"delete", collection?, recordId,
 * data?, timestamp?, baseVersion?, changeId?}} and is checked, authorized and written exactly as
 * the single request would be; one failing operation does not fail the others. The writes are
 * handed to the engine in order, so a collection's writes keep that order and are group-committed
 * together.
 *
 * <p>A result is {@code {status, ...}} with the HTTP status the single request would have had:
 * {@code 200} with {@code applied, result, record}, {@code 409 VERSION_CONFLICT} with the stored
 * {@code record}, or an error {@code {status, code, error}}. Records carry their feed position
 * {@code seq}.
 */
final class WriteBatch {
  /** The most operations one batch may hold. */
  static final int MAX_OPERATIONS = 1000;

  private WriteBatch() {}

  /** A batch refused as a whole (not an array, too many operations). */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Runs the operations.
   *
   * @param operations the JSON array of operations
   * @param pathCollection the collection of the HTTP route (an operation may leave it out, must not
   *     name another), or {@code null} on the WebSocket (each operation names its own)
   * @param originId the WebSocket connection the writes came from (not echoed to it), or null
   * @throws Refused when {@code operations} is not an array of at most {@link #MAX_OPERATIONS}
   */
  static CompletableFuture<ArrayNode> run(
      CollectionEngine engine,
      Authorizer authorizer,
      Identity identity,
      @Nullable JsonNode operations,
      @Nullable String pathCollection,
      @Nullable String originId) {
    if (operations == null || !operations.isArray()) {
      throw new Refused("operations must be an array");
    }
    if (operations.size() > MAX_OPERATIONS) {
      throw new Refused("at most " + MAX_OPERATIONS + " operations per batch");
    }
    List<CompletableFuture<ObjectNode>> results = new ArrayList<>(operations.size());
    for (JsonNode op : operations) {
      results.add(one(engine, authorizer, identity, op, pathCollection, originId));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              ArrayNode out = Json.array();
              results.forEach(r -> out.add(r.join()));
              return out;
            });
  }

  private static CompletableFuture<ObjectNode> one(
      CollectionEngine engine,
      Authorizer authorizer,
      Identity identity,
      JsonNode op,
      @Nullable String pathCollection,
      @Nullable String originId) {
    WriteRequest request;
    try {
      request = parse(op, pathCollection, originId, identity);
    } catch (PatchbayException e) {
      return CompletableFuture.completedFuture(error(400, "INVALID_REQUEST", e.getMessage()));
    }
    if (!authorizer.canWrite(identity, Names.docId(request.collection(), request.recordId()))) {
      return CompletableFuture.completedFuture(
          error(
              403,
              "UNAUTHORIZED",
              "no write access to " + Names.docId(request.collection(), request.recordId())));
    }
    CompletableFuture<WriteOutcome> written;
    try {
      written = engine.write(request);
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    return written.handle((outcome, failure) -> failure == null ? answer(outcome) : fail(failure));
  }

  private static WriteRequest parse(
      JsonNode op, @Nullable String pathCollection, @Nullable String originId, Identity identity) {
    if (!(op instanceof ObjectNode o)) {
      throw new PatchbayException(400, "an operation must be a JSON object");
    }
    String collection = WsDialect.text(o, "collection");
    if (pathCollection != null) {
      if (collection != null && !collection.equals(pathCollection)) {
        throw new PatchbayException(400, "collection must be the one of the route");
      }
      collection = pathCollection;
    }
    if (collection == null || !Names.isCollection(collection)) {
      throw new PatchbayException(400, "collection must be a valid collection name");
    }
    String recordId = WsDialect.text(o, "recordId");
    if (recordId == null || !Names.isRecordId(recordId)) {
      throw new PatchbayException(400, "recordId must be a valid id");
    }
    String kindText = WsDialect.text(o, "op");
    WriteRequest.Kind kind =
        kindText == null
            ? null
            : switch (kindText) {
              case "put" -> WriteRequest.Kind.PUT;
              case "patch" -> WriteRequest.Kind.PATCH;
              case "delete" -> WriteRequest.Kind.DELETE;
              default -> null;
            };
    if (kind == null) {
      throw new PatchbayException(400, "op must be put, patch or delete");
    }
    JsonNode data = o.get("data");
    if (kind != WriteRequest.Kind.DELETE && (data == null || !data.isObject())) {
      throw new PatchbayException(400, "data must be a JSON object");
    }
    return new WriteRequest(
        kind,
        collection,
        recordId,
        kind == WriteRequest.Kind.DELETE ? null : (ObjectNode) data,
        Timestamps.parse(o.get("timestamp"), "timestamp"),
        nonNegative(o, "baseVersion"),
        changeId(o),
        originId,
        identity.subject());
  }

  private static @Nullable Long nonNegative(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
      throw new PatchbayException(400, field + " must be a non-negative integer");
    }
    return n.longValue();
  }

  private static @Nullable String changeId(ObjectNode o) {
    JsonNode n = o.get("changeId");
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isString() || n.stringValue().isEmpty() || n.stringValue().length() > 256) {
      throw new PatchbayException(400, "changeId must be a string of 1 to 256 characters");
    }
    return n.stringValue();
  }

  private static ObjectNode answer(WriteOutcome outcome) {
    CollectionRecord record = outcome.record();
    if (outcome.result() == WriteOutcome.Result.NOT_FOUND || record == null) {
      return error(404, "RECORD_NOT_FOUND", "no such record");
    }
    if (outcome.result() == WriteOutcome.Result.CONFLICT) {
      ObjectNode o = error(409, "VERSION_CONFLICT", "the record changed since baseVersion");
      o.set("record", record(record));
      return o;
    }
    ObjectNode o = Json.object();
    o.put("status", 200);
    o.put("success", true);
    o.put("applied", outcome.applied());
    o.put("result", outcome.result().name().toLowerCase(java.util.Locale.ROOT));
    o.set("record", record(record));
    return o;
  }

  private static ObjectNode record(CollectionRecord r) {
    ObjectNode o = Wire.record(r, null);
    o.put("seq", r.seq());
    return o;
  }

  private static ObjectNode fail(Throwable failure) {
    Throwable e = failure;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof PatchbayException p) {
      return switch (p.code()) {
        case 400 -> error(400, "INVALID_REQUEST", p.getMessage());
        case 413 -> error(413, "PAYLOAD_TOO_LARGE", p.getMessage());
        case 503 -> error(503, "SERVER_BUSY", p.getMessage());
        default -> error(500, "SERVER_ERROR", "internal error");
      };
    }
    return error(500, "SERVER_ERROR", "internal error");
  }

  private static ObjectNode error(int status, String code, String message) {
    ObjectNode o = Json.object();
    o.put("status", status);
    o.put("code", code);
    o.put("error", message);
    return o;
  }
}
