package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.collections.WriteOutcome.Result;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.Credentials;
import dev.patchbay.server.spi.HttpCall;
import dev.patchbay.server.spi.HttpEndpoint;
import dev.patchbay.server.spi.HttpReply;
import dev.patchbay.server.spi.Identity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SyncLayer HTTP contract under {@code /sync/}: push ({@code POST /sync/{c}}), delta ({@code
 * PATCH /sync/{c}/{id}}), delete ({@code DELETE /sync/{c}/{id}}) and pull ({@code GET /sync/{c}}),
 * plus {@code GET /sync/{c}/{id}}. Every request is authenticated with its Bearer token and
 * authorized per record ({@code <collection>/<recordId>}) or per collection ({@code
 * <collection>/*}). Every error answers a JSON body {@code {error, code}}.
 */
final class SyncHttpEndpoint implements HttpEndpoint {
  private static final Logger log = LoggerFactory.getLogger(SyncHttpEndpoint.class);
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  private static final int SCAN_PAGE = 500;

  private final CollectionEngine engine;
  private final Authenticator authenticator;
  private final Authorizer authorizer;

  SyncHttpEndpoint(CollectionEngine engine, Authenticator authenticator, Authorizer authorizer) {
    this.engine = engine;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
  }

  /** An error answer; {@code record} rides along on a 409. */
  static final class HttpError extends RuntimeException {
    final int status;
    final String code;
    final @Nullable CollectionRecord record;

    HttpError(int status, String code, String message) {
      this(status, code, message, null);
    }

    HttpError(int status, String code, String message, @Nullable CollectionRecord record) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
      this.record = record;
    }
  }

  @Override
  public CompletionStage<HttpReply> handle(HttpCall call) {
    CompletionStage<HttpReply> reply;
    try {
      reply = route(call);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    return reply.handle((ok, error) -> error == null ? ok : toReply(error));
  }

  private CompletionStage<HttpReply> route(HttpCall call) {
    String[] parts = call.path().split("/", -1);
    // "", "sync", collection[, recordId]
    if (parts.length < 3 || parts.length > 4 || !parts[1].equals("sync") || parts[2].isEmpty()) {
      throw new HttpError(404, "NOT_FOUND", "no such route");
    }
    String collection = parts[2];
    if (!Names.isCollection(collection)) {
      throw new HttpError(
          400, "INVALID_REQUEST", "collection must be 1 to 128 letters, digits, '_', '.' or '-'");
    }
    String recordId = parts.length == 4 ? parts[3] : null;
    if (recordId != null && !Names.isRecordId(recordId)) {
      throw new HttpError(400, "INVALID_REQUEST", "invalid recordId");
    }
    String method = call.method();
    boolean allowed =
        recordId == null
            ? method.equals("GET") || method.equals("POST")
            : method.equals("GET") || method.equals("PATCH") || method.equals("DELETE");
    if (!allowed) {
      throw new HttpError(405, "METHOD_NOT_ALLOWED", method + " is not allowed here");
    }
    return authenticate(call)
        .thenCompose(
            identity ->
                switch (method) {
                  case "GET" ->
                      recordId == null
                          ? pull(identity, collection, call)
                          : getOne(identity, collection, recordId);
                  case "POST" -> push(identity, collection, call);
                  case "PATCH" -> patch(identity, collection, recordId, call);
                  default -> delete(identity, collection, recordId, call);
                });
  }

  private CompletionStage<Identity> authenticate(HttpCall call) {
    String token = null;
    String authorization = call.authorization();
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = authorization.substring(7).strip();
    } else if (call.param("token") != null) {
      token = call.param("token");
    }
    CompletionStage<AuthResult> decision =
        authenticator.authenticate(
            new Credentials(token == null || token.isEmpty() ? null : token, call.remoteAddress()));
    return decision.thenApply(
        result -> {
          if (result instanceof AuthResult.Accepted accepted) {
            return accepted.identity();
          }
          AuthResult.Rejected rejected = (AuthResult.Rejected) result;
          throw rejected.status() == 403
              ? new HttpError(403, "UNAUTHORIZED", rejected.reason())
              : new HttpError(401, "AUTH_FAILED", rejected.reason());
        });
  }

  private void requireRead(Identity identity, String collection) {
    if (!authorizer.canRead(identity, Names.collectionDocId(collection))) {
      throw new HttpError(403, "UNAUTHORIZED", "no read access to collection " + collection);
    }
  }

  private void requireWrite(Identity identity, String collection, String recordId) {
    if (!authorizer.canWrite(identity, Names.docId(collection, recordId))) {
      throw new HttpError(
          403, "UNAUTHORIZED", "no write access to " + Names.docId(collection, recordId));
    }
  }

  private CompletionStage<HttpReply> push(Identity identity, String collection, HttpCall call) {
    ObjectNode body = body(call);
    if (body.has("operations")) {
      return batch(identity, collection, body);
    }
    String recordId = requiredString(body, "recordId");
    if (!Names.isRecordId(recordId)) {
      throw new HttpError(400, "INVALID_REQUEST", "invalid recordId");
    }
    JsonNode data = body.get("data");
    if (data == null || !data.isObject()) {
      throw new HttpError(400, "INVALID_REQUEST", "data must be a JSON object");
    }
    requireWrite(identity, collection, recordId);
    WriteRequest request =
        new WriteRequest(
            WriteRequest.Kind.PUT,
            collection,
            recordId,
            (ObjectNode) data,
            timestamp(body),
            optionalLong(body, "baseVersion"),
            optionalString(body, "changeId"),
            null,
            identity.subject());
    return engine.write(request).thenApply(SyncHttpEndpoint::writeReply);
  }

  /** The batch push: {@code {operations: [...]}} answered {@code {results: [...]}} in order. */
  private CompletionStage<HttpReply> batch(Identity identity, String collection, ObjectNode body) {
    try {
      return WriteBatch.run(engine, authorizer, identity, body.get("operations"), collection, null)
          .thenApply(
              results -> {
                ObjectNode o = Json.object();
                o.set("results", results);
                return HttpReply.json(200, Json.write(o));
              });
    } catch (WriteBatch.Refused e) {
      throw new HttpError(400, "INVALID_REQUEST", e.getMessage());
    }
  }

  private CompletionStage<HttpReply> patch(
      Identity identity, String collection, String recordId, HttpCall call) {
    ObjectNode body = body(call);
    JsonNode delta = body.get("delta");
    if (delta == null || !delta.isObject()) {
      throw new HttpError(400, "INVALID_REQUEST", "delta must be a JSON object");
    }
    requireWrite(identity, collection, recordId);
    WriteRequest request =
        new WriteRequest(
            WriteRequest.Kind.PATCH,
            collection,
            recordId,
            (ObjectNode) delta,
            timestamp(body),
            optionalLong(body, "baseVersion"),
            optionalString(body, "changeId"),
            null,
            identity.subject());
    return engine.write(request).thenApply(SyncHttpEndpoint::writeReply);
  }

  private CompletionStage<HttpReply> delete(
      Identity identity, String collection, String recordId, HttpCall call) {
    // SyncLayer sends no body; the extras may come as query parameters or a JSON body.
    ObjectNode body = call.body().length == 0 ? Json.object() : body(call);
    for (String name : List.of("baseVersion", "timestamp", "changeId")) {
      String value = call.param(name);
      if (value != null && !body.has(name)) {
        if (name.equals("baseVersion")) {
          try {
            body.put(name, Long.parseLong(value));
          } catch (NumberFormatException e) {
            throw new HttpError(400, "INVALID_REQUEST", "baseVersion must be an integer");
          }
        } else {
          body.put(name, value);
        }
      }
    }
    requireWrite(identity, collection, recordId);
    WriteRequest request =
        new WriteRequest(
            WriteRequest.Kind.DELETE,
            collection,
            recordId,
            null,
            timestamp(body),
            optionalLong(body, "baseVersion"),
            optionalString(body, "changeId"),
            null,
            identity.subject());
    return engine.write(request).thenApply(SyncHttpEndpoint::writeReply);
  }

  private static HttpReply writeReply(WriteOutcome outcome) {
    CollectionRecord record = outcome.record();
    if (outcome.result() == Result.NOT_FOUND || record == null) {
      throw new HttpError(404, "RECORD_NOT_FOUND", "no such record");
    }
    if (outcome.result() == Result.CONFLICT) {
      throw new HttpError(409, "VERSION_CONFLICT", "the record changed since baseVersion", record);
    }
    ObjectNode o = Json.object();
    o.put("success", true);
    o.put("applied", outcome.applied());
    o.put("result", outcome.result().name().toLowerCase(java.util.Locale.ROOT));
    o.set("record", Wire.record(record, null));
    return HttpReply.json(200, Json.write(o));
  }

  private CompletionStage<HttpReply> getOne(Identity identity, String collection, String recordId) {
    if (!authorizer.canRead(identity, Names.docId(collection, recordId))) {
      throw new HttpError(
          403, "UNAUTHORIZED", "no read access to " + Names.docId(collection, recordId));
    }
    return engine
        .read(collection, store -> store.getRecord(collection, recordId))
        .thenApply(
            r -> {
              if (r == null) {
                throw new HttpError(404, "RECORD_NOT_FOUND", "no such record");
              }
              return HttpReply.json(200, Json.write(Wire.record(r, null)));
            });
  }

  private CompletionStage<HttpReply> pull(Identity identity, String collection, HttpCall call) {
    requireRead(identity, collection);
    RecordQuery query;
    try {
      query = RecordQuery.parse(call.query());
    } catch (PatchbayException e) {
      throw new HttpError(400, "INVALID_REQUEST", e.getMessage());
    }
    int limit = intParam(call, "limit", DEFAULT_LIMIT, 0, Integer.MAX_VALUE);
    limit = limit == 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
    int pageSize = limit;
    String cursorText = call.param("cursor");
    if (cursorText != null) {
      long cursor = longParam("cursor", cursorText);
      return engine
          .read(collection, store -> cursorPage(store, collection, cursor, pageSize, query))
          .thenApply(body -> HttpReply.json(200, Json.write(body)));
    }
    int offset = intParam(call, "offset", 0, 0, Integer.MAX_VALUE);
    String sinceText = call.param("since");
    Long since;
    try {
      since =
          sinceText == null || sinceText.isEmpty() ? null : Timestamps.parse(sinceText, "since");
    } catch (PatchbayException e) {
      throw new HttpError(400, "INVALID_REQUEST", e.getMessage());
    }
    boolean includeDeleted = "true".equals(call.param("includeDeleted"));
    return engine
        .read(
            collection,
            store -> sincePage(store, collection, since, offset, pageSize, query, includeDeleted))
        .thenApply(body -> HttpReply.json(200, Json.write(body)));
  }

  /**
   * The cursor pull: the feed after {@code cursor}, tombstones included; 410 {@code CURSOR_EXPIRED}
   * for a cursor below the purge horizon. Scans at most ten pages of the feed per request so a
   * selective filter cannot make one request unbounded; {@code hasMore} says whether to ask again
   * from {@code nextCursor}.
   */
  static ObjectNode cursorPage(
      CollectionStore store, String collection, long cursor, int limit, RecordQuery query) {
    long horizon = store.purgedThrough(collection);
    if (cursor > 0 && cursor < horizon) {
      // Deletes after the cursor may have been purged: the client cannot catch up from it.
      throw new HttpError(
          410, "CURSOR_EXPIRED", "deletes after this cursor were purged; pull again from cursor 0");
    }
    ArrayNode records = Json.array();
    long next = cursor;
    boolean more = false;
    int scanned = 0;
    outer:
    while (scanned < limit * 10) {
      List<CollectionRecord> page = store.changesAfter(collection, next, limit);
      for (CollectionRecord r : page) {
        scanned++;
        next = r.seq();
        if (query.matches(r)) {
          records.add(Wire.record(r, query.projection()));
          if (records.size() == limit) {
            break outer;
          }
        }
      }
      if (page.size() < limit) {
        break;
      }
    }
    more = next < store.lastSeq(collection);
    ObjectNode body = Json.object();
    body.set("records", records);
    body.put("nextCursor", next);
    body.put("hasMore", more);
    return body;
  }

  /**
   * SyncLayer's own pull: live records with {@code updatedAt} after {@code since}, in feed order,
   * skipping {@code offset} matches. Tombstones only with {@code includeDeleted=true}: a stock
   * SyncLayer client would store them as records.
   */
  static ObjectNode sincePage(
      CollectionStore store,
      String collection,
      @Nullable Long since,
      int offset,
      int limit,
      RecordQuery query,
      boolean includeDeleted) {
    ArrayNode records = Json.array();
    int skipped = 0;
    long after = 0;
    outer:
    while (true) {
      List<CollectionRecord> page = store.changesAfter(collection, after, SCAN_PAGE);
      for (CollectionRecord r : page) {
        after = r.seq();
        if ((r.deleted() && !includeDeleted)
            || (since != null && r.updatedAt() <= since)
            || !query.matches(r)) {
          continue;
        }
        if (skipped < offset) {
          skipped++;
          continue;
        }
        records.add(Wire.record(r, query.projection()));
        if (records.size() == limit) {
          break outer;
        }
      }
      if (page.size() < SCAN_PAGE) {
        break;
      }
    }
    ObjectNode body = Json.object();
    body.set("records", records);
    return body;
  }

  private static ObjectNode body(HttpCall call) {
    if (call.body().length == 0) {
      throw new HttpError(400, "INVALID_REQUEST", "a JSON body is required");
    }
    JsonNode node;
    try {
      node = Json.parse(new String(call.body(), StandardCharsets.UTF_8));
    } catch (JacksonException | IllegalArgumentException e) {
      throw new HttpError(400, "INVALID_JSON", "the body is not valid JSON");
    }
    if (!node.isObject()) {
      throw new HttpError(400, "INVALID_REQUEST", "the body must be a JSON object");
    }
    return (ObjectNode) node;
  }

  private static @Nullable Long timestamp(ObjectNode body) {
    try {
      JsonNode ts = body.get("timestamp");
      if (ts == null || ts.isNull()) {
        ts = body.get("updatedAt");
      }
      return Timestamps.parse(ts, "timestamp");
    } catch (PatchbayException e) {
      throw new HttpError(400, "INVALID_REQUEST", e.getMessage());
    }
  }

  private static String requiredString(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || !n.isString() || n.stringValue().isEmpty()) {
      throw new HttpError(400, "INVALID_REQUEST", field + " must be a non-empty string");
    }
    return n.stringValue();
  }

  private static @Nullable String optionalString(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isString() || n.stringValue().isEmpty() || n.stringValue().length() > 256) {
      throw new HttpError(400, "INVALID_REQUEST", field + " must be a string of 1 to 256 chars");
    }
    return n.stringValue();
  }

  private static @Nullable Long optionalLong(ObjectNode body, String field) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0) {
      throw new HttpError(400, "INVALID_REQUEST", field + " must be a non-negative integer");
    }
    return n.longValue();
  }

  private static int intParam(HttpCall call, String name, int absent, int min, int max) {
    String v = call.param(name);
    if (v == null || v.isEmpty()) {
      return absent;
    }
    long n = longParam(name, v);
    if (n < min || n > max) {
      throw new HttpError(400, "INVALID_REQUEST", name + " must not be negative");
    }
    return (int) n;
  }

  private static long longParam(String name, String value) {
    try {
      long n = Long.parseLong(value);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new HttpError(400, "INVALID_REQUEST", name + " must be a non-negative integer");
    }
  }

  static HttpReply toReply(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof HttpError h) {
      ObjectNode o = Json.object();
      o.put("error", h.getMessage());
      o.put("code", h.code);
      if (h.record != null) {
        o.set("record", Wire.record(h.record, null));
      }
      return HttpReply.json(h.status, Json.write(o));
    }
    if (e instanceof PatchbayException p) {
      return switch (p.code()) {
        case 400 -> HttpReply.json(400, Wire.error("INVALID_REQUEST", p.getMessage()));
        case 413 -> HttpReply.json(413, Wire.error("PAYLOAD_TOO_LARGE", p.getMessage()));
        case 503 -> HttpReply.json(503, Wire.error("SERVER_BUSY", p.getMessage()));
        default -> serverError(p);
      };
    }
    return serverError(e);
  }

  private static HttpReply serverError(Throwable e) {
    log.warn("collection request failed: {}", e.toString());
    return HttpReply.json(500, Wire.error("SERVER_ERROR", "internal error"));
  }
}
