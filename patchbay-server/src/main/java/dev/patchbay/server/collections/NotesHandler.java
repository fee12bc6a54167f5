package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.Identity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Paperlyte notes dialect on {@code /notes/ws}: envelopes {@code {type, payload, timestamp}},
 * {@code note_update} / {@code note_delete} / {@code ping} in, {@code note_updated} / {@code
 * note_deleted} / {@code sync_required} / {@code pong} / {@code error} out. Notes are the records
 * of one collection ({@link #COLLECTION}), so the SyncLayer routes see the same notes; every
 * authenticated connection is subscribed to it. On connect the server sends {@code sync_required}
 * (the client missed what happened while it was away); a client that knows its cursor sends {@code
 * resume {cursor}} and hears {@code sync_required} only when it is behind (or its cursor is below
 * the purge horizon of deleted notes: {@code cursor_expired}).
 */
final class NotesHandler extends WsDialect {
  /** The collection notes live in. */
  static final String COLLECTION = "notes";

  /** Client-local bookkeeping of a Paperlyte note that must not travel to other devices. */
  private static final List<String> LOCAL_FIELDS =
      List.of("syncStatus", "lastSyncedAt", "localVersion", "remoteVersion", "version");

  NotesHandler(
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
    return new CollectionHub.Subscriber(s.connection, CollectionHub.Dialect.NOTES);
  }

  @Override
  void authenticated(Session s, Identity identity, boolean byMessage) {
    Connection c = s.connection;
    if (byMessage) {
      c.send(message("authenticated", Json.object()));
    }
    if (!authorizer.canRead(identity, Names.collectionDocId(COLLECTION))) {
      sendError(c, "UNAUTHORIZED", "no read access to notes", null, null);
      c.close(CLOSE_POLICY, "no read access to notes");
      return;
    }
    if (s.subscriptions.add(COLLECTION)) {
      hub.subscribe(COLLECTION, subscriber(s));
    }
    engine
        .read(COLLECTION, store -> store.lastSeq(COLLECTION))
        .whenComplete(
            (head, error) -> {
              if (error == null) {
                c.send(syncRequired("connected", head));
              }
            });
  }

  private String syncRequired(String reason, long cursor) {
    ObjectNode payload = Json.object();
    payload.put("reason", reason);
    payload.put("cursor", cursor);
    return message("sync_required", payload);
  }

  private String message(String type, JsonNode payload) {
    return Json.write(Wire.notesMessage(type, payload, clock.getAsLong()));
  }

  @Override
  @Nullable String authToken(ObjectNode message) {
    JsonNode payload = message.get("payload");
    return payload instanceof ObjectNode p ? text(p, "token") : null;
  }

  /** Paperlyte's envelope rules: type and timestamp non-empty strings, payload a JSON object. */
  @Override
  String validateEnvelope(ObjectNode message) {
    String type = text(message, "type");
    if (type == null || type.isEmpty()) {
      throw new PatchbayException(400, "type must be a non-empty string");
    }
    String timestamp = text(message, "timestamp");
    if (timestamp == null || timestamp.isEmpty()) {
      throw new PatchbayException(400, "timestamp must be a non-empty string");
    }
    JsonNode payload = message.get("payload");
    if (payload == null || !payload.isObject()) {
      throw new PatchbayException(400, "payload must be a JSON object");
    }
    return type;
  }

  @Override
  void sendError(
      Connection c, String code, String message, @Nullable String collection, @Nullable String id) {
    ObjectNode payload = Json.object();
    payload.put("code", code);
    payload.put("message", message);
    if (id != null) {
      payload.put("noteId", id);
    }
    c.send(message("error", payload));
  }

  @Override
  public void onThrottled(Connection connection, String text) {
    sendError(connection, "RATE_LIMIT_EXCEEDED", "rate limit exceeded", null, null);
  }

  @Override
  void handle(Session s, Identity identity, ObjectNode m, String type) {
    Connection c = s.connection;
    ObjectNode payload = (ObjectNode) m.get("payload");
    switch (type) {
      case "ping" -> c.send(message("pong", Json.object()));
      case "auth" -> c.send(message("authenticated", Json.object()));
      case "resume" -> {
        JsonNode cursor = payload.get("cursor");
        if (cursor == null || !cursor.isIntegralNumber() || cursor.longValue() < 0) {
          sendError(
              c, "INVALID_MESSAGE", "payload.cursor must be a non-negative integer", null, null);
          return;
        }
        long at = cursor.longValue();
        engine
            .read(
                COLLECTION,
                store -> new long[] {store.lastSeq(COLLECTION), store.purgedThrough(COLLECTION)})
            .whenComplete(
                (heads, error) -> {
                  if (error != null) {
                    sendError(c, code(error), message(error), null, null);
                    return;
                  }
                  long head = heads[0];
                  if (at > 0 && at < heads[1]) {
                    c.send(syncRequired("cursor_expired", head));
                  } else if (at > head) {
                    c.send(syncRequired("cursor_unknown", head));
                  } else if (at < head) {
                    c.send(syncRequired("behind", head));
                  }
                });
      }
      case "note_update" -> {
        JsonNode note = payload.get("note");
        if (!(note instanceof ObjectNode n)) {
          sendError(c, "INVALID_MESSAGE", "payload.note must be an object", null, null);
          return;
        }
        String id = text(n, "id");
        if (id == null || id.isEmpty()) {
          sendError(c, "INVALID_MESSAGE", "payload.note.id must be a non-empty string", null, null);
          return;
        }
        ObjectNode data = n.deepCopy();
        data.remove(LOCAL_FIELDS);
        Long ts;
        try {
          ts = Timestamps.parse(n.get("updatedAt"), "note.updatedAt");
        } catch (PatchbayException e) {
          sendError(c, "INVALID_MESSAGE", e.getMessage(), null, id);
          return;
        }
        write(c, identity, WriteRequest.Kind.PUT, id, data, ts, payload);
      }
      case "note_delete" -> {
        String id = text(payload, "noteId");
        if (id == null || id.isEmpty()) {
          sendError(c, "INVALID_MESSAGE", "payload.noteId must be a non-empty string", null, null);
          return;
        }
        write(c, identity, WriteRequest.Kind.DELETE, id, null, null, payload);
      }
      default ->
          sendError(
              c, "INVALID_MESSAGE", "unknown type " + SyncLayerHandler.shorten(type), null, null);
    }
  }

  private void write(
      Connection c,
      Identity identity,
      WriteRequest.Kind kind,
      String id,
      @Nullable ObjectNode data,
      @Nullable Long timestamp,
      ObjectNode payload) {
    if (!Names.isRecordId(id)) {
      sendError(c, "INVALID_MESSAGE", "invalid note id", null, null);
      return;
    }
    if (!authorizer.canWrite(identity, Names.docId(COLLECTION, id))) {
      sendError(c, "UNAUTHORIZED", "no write access to note " + id, null, id);
      return;
    }
    JsonNode base = payload.get("baseVersion");
    JsonNode changeId = payload.get("changeId");
    if ((base != null && !base.isNull() && (!base.isIntegralNumber() || base.longValue() < 0))
        || (changeId != null && !changeId.isNull() && !changeId.isString())) {
      sendError(c, "INVALID_MESSAGE", "baseVersion or changeId has the wrong type", null, id);
      return;
    }
    WriteRequest request =
        new WriteRequest(
            kind,
            COLLECTION,
            id,
            data,
            timestamp,
            base == null || base.isNull() ? null : base.longValue(),
            changeId == null || changeId.isNull() || changeId.stringValue().isEmpty()
                ? null
                : changeId.stringValue(),
            c.id(),
            identity.subject());
    engine
        .write(request)
        .whenComplete(
            (outcome, error) -> {
              if (error != null) {
                sendError(c, code(error), message(error), null, id);
                return;
              }
              switch (outcome.result()) {
                case APPLIED, DUPLICATE -> {}
                case NOT_FOUND -> sendError(c, "RECORD_NOT_FOUND", "no such note", null, id);
                case IGNORED, CONFLICT ->
                    c.send(Json.write(Wire.notesChange(outcome.record(), true, clock.getAsLong())));
              }
            });
  }
}
