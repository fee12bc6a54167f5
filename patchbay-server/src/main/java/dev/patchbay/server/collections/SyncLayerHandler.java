package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.Identity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SyncLayer WebSocket envelope on {@code /sync/ws}: {@code {type, collection, recordId, data,
 * timestamp, metadata}}. Subscriptions are per collection; writes are persisted by the engine and
 * broadcast to the collection's other subscribers (never the sender) with the whole record and
 * {@code metadata {version, userId, patch: false}}. A write that loses a conflict is answered to
 * its sender with the stored record ({@code metadata.conflict: true}). Errors use SyncLayer's seven
 * codes.
 */
final class SyncLayerHandler extends WsDialect {
  static final int SNAPSHOT_LIMIT = 1000;

  SyncLayerHandler(
      CollectionEngine engine,
      CollectionHub hub,
      Authenticator authenticator,
      Authorizer authorizer,
      ScheduledExecutorService timers,
      LongSupplier clock,
      Duration authTimeout) {
    super(engine, hub, authenticator, authorizer, timers, clock, authTimeout);
  }

  @Override
  CollectionHub.Subscriber subscriber(Session s) {
    return new CollectionHub.Subscriber(s.connection, CollectionHub.Dialect.SYNCLAYER);
  }

  @Override
  void authenticated(Session s, Identity identity, boolean byMessage) {
    if (byMessage) {
      ObjectNode o = Json.object();
      o.put("type", "authenticated");
      o.put("timestamp", Timestamps.format(clock.getAsLong()));
      s.connection.send(Json.write(o));
    }
  }

  @Override
  @Nullable String authToken(ObjectNode message) {
    return text(message, "token");
  }

  @Override
  String validateEnvelope(ObjectNode message) {
    String type = text(message, "type");
    if (type == null || type.isEmpty()) {
      throw new PatchbayException(400, "type must be a non-empty string");
    }
    return type;
  }

  @Override
  void sendError(
      Connection c, String code, String message, @Nullable String collection, @Nullable String id) {
    ObjectNode o = Json.object();
    o.put("type", "error");
    o.put("error", message);
    o.put("code", code);
    if (collection != null || id != null) {
      ObjectNode meta = o.putObject("metadata");
      if (collection != null) {
        meta.put("collection", collection);
      }
      if (id != null) {
        meta.put("recordId", id);
      }
    }
    o.put("timestamp", Timestamps.format(clock.getAsLong()));
    c.send(Json.write(o));
  }

  @Override
  public void onThrottled(Connection connection, String text) {
    sendError(connection, "RATE_LIMIT_EXCEEDED", "rate limit exceeded", null, null);
  }

  @Override
  void handle(Session s, Identity identity, ObjectNode m, String type) {
    Connection c = s.connection;
    switch (type) {
      case "ping" -> {
        ObjectNode pong = Json.object();
        pong.put("type", "pong");
        pong.put("timestamp", Timestamps.format(clock.getAsLong()));
        c.send(Json.write(pong));
      }
      case "auth" -> authenticated(s, identity, true);
      case "subscribe" -> subscribe(s, identity, m);
      case "unsubscribe" -> {
        String collection = collection(c, m);
        if (collection == null) {
          return;
        }
        if (!s.subscriptions.remove(collection)) {
          sendError(c, "COLLECTION_NOT_FOUND", "not subscribed to " + collection, collection, null);
          return;
        }
        hub.unsubscribe(collection, subscriber(s));
        ObjectNode o = Json.object();
        o.put("type", "unsubscribed");
        o.put("collection", collection);
        c.send(Json.write(o));
      }
      case "sync" -> {
        String collection = collection(c, m);
        if (collection == null || !mayRead(c, identity, collection)) {
          return;
        }
        sendSnapshot(c, collection, cursor(m));
      }
      case "insert", "update", "delete" -> write(s, identity, m, type);
      case "batch" -> batch(c, identity, m);
      default -> sendError(c, "INVALID_MESSAGE", "unknown type " + shorten(type), null, null);
    }
  }

  private void subscribe(Session s, Identity identity, ObjectNode m) {
    Connection c = s.connection;
    String collection = collection(c, m);
    if (collection == null || !mayRead(c, identity, collection)) {
      return;
    }
    Long cursor = cursor(m);
    // Subscribe before counting: a write committed in between is broadcast, never missed.
    if (s.subscriptions.add(collection)) {
      hub.subscribe(collection, subscriber(s));
    }
    engine
        .read(
            collection,
            store -> new long[] {store.countLive(collection), store.lastSeq(collection)})
        .whenComplete(
            (counts, error) -> {
              if (error != null) {
                sendError(c, code(error), message(error), collection, null);
                return;
              }
              ObjectNode o = Json.object();
              o.put("type", "subscribed");
              o.put("collection", collection);
              ObjectNode meta = o.putObject("metadata");
              meta.put("recordCount", counts[0]);
              meta.put("cursor", counts[1]);
              meta.put("batch", true); // this server answers batch messages
              c.send(Json.write(o));
              if (cursor != null) {
                sendSnapshot(c, collection, cursor);
              }
            });
  }

  /**
   * Sends a {@code sync} snapshot: with a cursor, the feed after it (tombstones included, marked
   * {@code deleted}); without, the live records. A cursor below the purge horizon gets the live
   * records with {@code metadata.reset}: the client replaces its copy. At most {@link
   * #SNAPSHOT_LIMIT} records; {@code metadata.hasMore} says to ask again from {@code
   * metadata.cursor}.
   */
  private void sendSnapshot(Connection c, String collection, @Nullable Long cursor) {
    engine
        .read(collection, store -> snapshot(store, collection, cursor))
        .whenComplete(
            (o, error) -> {
              if (error != null) {
                sendError(c, code(error), message(error), collection, null);
              } else {
                c.send(Json.write(o));
              }
            });
  }

  private ObjectNode snapshot(CollectionStore store, String collection, @Nullable Long requested) {
    Long cursor = requested;
    boolean reset = false;
    if (cursor != null && cursor > 0 && cursor < store.purgedThrough(collection)) {
      // Deletes after the cursor were purged: send the live records, to replace the client's.
      cursor = null;
      reset = true;
    }
    ArrayNode records = Json.array();
    long next = cursor == null ? 0 : cursor;
    long head = store.lastSeq(collection);
    while (records.size() < SNAPSHOT_LIMIT) {
      List<CollectionRecord> page = store.changesAfter(collection, next, SNAPSHOT_LIMIT);
      for (CollectionRecord r : page) {
        next = r.seq();
        if (cursor != null || !r.deleted()) {
          records.add(Wire.snapshotRecord(r));
          if (records.size() == SNAPSHOT_LIMIT) {
            break;
          }
        }
      }
      if (page.size() < SNAPSHOT_LIMIT) {
        break;
      }
    }
    ObjectNode o = Json.object();
    o.put("type", "sync");
    o.put("collection", collection);
    o.putObject("data").set("records", records);
    o.put("timestamp", Timestamps.format(clock.getAsLong()));
    ObjectNode meta = o.putObject("metadata");
    meta.put("recordCount", records.size());
    meta.put("cursor", next);
    meta.put("hasMore", next < head);
    if (reset) {
      meta.put("reset", true);
    }
    return o;
  }

  private void write(Session s, Identity identity, ObjectNode m, String type) {
    Connection c = s.connection;
    String collection = collection(c, m);
    if (collection == null) {
      return;
    }
    String recordId = text(m, "recordId");
    if (recordId == null || !Names.isRecordId(recordId)) {
      sendError(c, "INVALID_MESSAGE", "recordId must be a valid id", collection, null);
      return;
    }
    JsonNode meta = m.get("metadata");
    ObjectNode metadata = meta instanceof ObjectNode o ? o : Json.object();
    JsonNode data = m.get("data");
    WriteRequest.Kind kind;
    if (type.equals("delete")) {
      kind = WriteRequest.Kind.DELETE;
      data = null;
    } else {
      if (data == null || !data.isObject()) {
        sendError(c, "INVALID_MESSAGE", "data must be a JSON object", collection, recordId);
        return;
      }
      // An update is a patch unless it says otherwise: SyncLayer's update() sends only the
      // changed fields, and replacing the record with them would lose the rest.
      JsonNode patch = metadata.get("patch");
      kind =
          type.equals("insert") || (patch != null && patch.isBoolean() && !patch.booleanValue())
              ? WriteRequest.Kind.PUT
              : WriteRequest.Kind.PATCH;
    }
    if (!authorizer.canWrite(identity, Names.docId(collection, recordId))) {
      sendError(
          c,
          "UNAUTHORIZED",
          "no write access to " + Names.docId(collection, recordId),
          collection,
          recordId);
      return;
    }
    WriteRequest request;
    try {
      request =
          new WriteRequest(
              kind,
              collection,
              recordId,
              (ObjectNode) data,
              Timestamps.parse(m.get("timestamp"), "timestamp"),
              longField(m, metadata, "baseVersion"),
              stringField(m, metadata, "changeId"),
              c.id(),
              identity.subject());
    } catch (PatchbayException e) {
      sendError(c, "INVALID_MESSAGE", e.getMessage(), collection, recordId);
      return;
    }
    engine
        .write(request)
        .whenComplete(
            (outcome, error) -> {
              if (error != null) {
                sendError(c, code(error), message(error), collection, recordId);
                return;
              }
              switch (outcome.result()) {
                case APPLIED, DUPLICATE -> {}
                case NOT_FOUND ->
                    sendError(c, "RECORD_NOT_FOUND", "no such record", collection, recordId);
                case IGNORED, CONFLICT ->
                    c.send(Json.write(Wire.syncLayerChange(outcome.record(), true)));
              }
            });
  }

  /**
   * A patchbay extension: {@code {type: "batch", metadata: {requestId}, operations: [...]}} (see
   * {@link WriteBatch}) answered by {@code {type: "batch_result", metadata: {requestId}, results:
   * [...]}}, or with {@code code} and {@code error} instead of results when the batch is refused as
   * a whole. The writes are broadcast to the other subscribers like single ones.
   */
  private void batch(Connection c, Identity identity, ObjectNode m) {
    JsonNode meta = m.get("metadata");
    JsonNode requestId = meta == null ? null : meta.get("requestId");
    CompletableFuture<ArrayNode> results;
    try {
      results = WriteBatch.run(engine, authorizer, identity, m.get("operations"), null, c.id());
    } catch (WriteBatch.Refused e) {
      ObjectNode o = batchResult(requestId);
      o.put("code", "INVALID_MESSAGE");
      o.put("error", e.getMessage());
      c.send(Json.write(o));
      return;
    }
    results.whenComplete(
        (r, error) -> {
          ObjectNode o = batchResult(requestId);
          if (error != null) {
            o.put("code", code(error));
            o.put("error", message(error));
          } else {
            o.set("results", r);
          }
          c.send(Json.write(o));
        });
  }

  private ObjectNode batchResult(@Nullable JsonNode requestId) {
    ObjectNode o = Json.object();
    o.put("type", "batch_result");
    ObjectNode meta = o.putObject("metadata");
    if (requestId != null && (requestId.isString() || requestId.isNumber())) {
      meta.set("requestId", requestId);
    }
    o.put("timestamp", Timestamps.format(clock.getAsLong()));
    return o;
  }

  private @Nullable String collection(Connection c, ObjectNode m) {
    String collection = text(m, "collection");
    if (collection == null || !Names.isCollection(collection)) {
      sendError(c, "INVALID_MESSAGE", "collection must be a valid collection name", null, null);
      return null;
    }
    return collection;
  }

  private boolean mayRead(Connection c, Identity identity, String collection) {
    if (authorizer.canRead(identity, Names.collectionDocId(collection))) {
      return true;
    }
    sendError(c, "UNAUTHORIZED", "no read access to collection " + collection, collection, null);
    return false;
  }

  private static @Nullable Long cursor(ObjectNode m) {
    JsonNode meta = m.get("metadata");
    JsonNode cursor = meta == null ? null : meta.get("cursor");
    if (cursor == null || cursor.isNull()) {
      return null;
    }
    if (!cursor.isIntegralNumber() || cursor.longValue() < 0) {
      throw new PatchbayException(400, "metadata.cursor must be a non-negative integer");
    }
    return cursor.longValue();
  }

  private static @Nullable Long longField(ObjectNode m, ObjectNode meta, String name) {
    JsonNode n = m.has(name) ? m.get(name) : meta.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || n.longValue() < 0) {
      throw new PatchbayException(400, name + " must be a non-negative integer");
    }
    return n.longValue();
  }

  private static @Nullable String stringField(ObjectNode m, ObjectNode meta, String name) {
    JsonNode n = m.has(name) ? m.get(name) : meta.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isString() || n.stringValue().isEmpty() || n.stringValue().length() > 256) {
      throw new PatchbayException(400, name + " must be a string of 1 to 256 characters");
    }
    return n.stringValue();
  }

  static String shorten(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
