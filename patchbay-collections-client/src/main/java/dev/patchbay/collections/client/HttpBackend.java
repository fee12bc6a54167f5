package dev.patchbay.collections.client;

import dev.patchbay.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server's HTTP routes ({@code /sync/{c}}, docs/collections.md) as blocking calls made from the
 * sync thread. Transport failures and time-outs surface as {@link IOException}; every answer that
 * arrives, whatever its status, is returned.
 */
final class HttpBackend {
  /**
   * A server record as the wire carries it; {@code changeId} is the change id of the write that
   * made this version, when the server says it (older servers do not).
   */
  record Remote(
      String id,
      ObjectNode data,
      long version,
      Instant updatedAt,
      boolean deleted,
      @Nullable String changeId) {
    static Remote of(JsonNode r) {
      JsonNode data = r.get("data");
      JsonNode changeId = r.get("changeId");
      return new Remote(
          r.get("recordId").stringValue(),
          data != null && data.isObject() ? (ObjectNode) data : Json.object(),
          r.path("version").asLong(1),
          Instant.parse(r.get("updatedAt").stringValue()),
          r.path("deleted").asBoolean(false),
          changeId != null && changeId.isString() ? changeId.stringValue() : null);
    }
  }

  /** An HTTP answer: the status and the JSON body (an empty object when there is none). */
  record Answer(int status, JsonNode body) {
    @Nullable Remote record() {
      JsonNode r = body.get("record");
      return r == null || !r.isObject() ? null : Remote.of(r);
    }

    String error() {
      return status + " " + body.path("code").asString("") + " " + body.path("error").asString("");
    }
  }

  /** One page of the feed. */
  record Page(List<Remote> records, long nextCursor, boolean hasMore) {}

  final HttpClient http;
  private final String base;
  private final Supplier<@Nullable String> token;
  private final Duration timeout;
  // Requests sent, by method: tests check which path a change took.
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();

  HttpBackend(
      URI baseUrl, Supplier<@Nullable String> token, Duration timeout, ExecutorService executor) {
    String b = baseUrl.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
    this.token = token;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(executor).build();
  }

  /** Pushes one outbox entry with the base version it was made against (0: none known). */
  Answer push(LocalStore.Op op, long baseVersion) throws IOException {
    String c = segment(op.collection());
    Instant ts = Instant.ofEpochMilli(op.timestamp());
    switch (op.type()) {
      case INSERT, UPDATE -> {
        ObjectNode body = Json.object();
        body.put("recordId", op.recordId());
        body.set("data", op.payload());
        body.put("timestamp", ts.toString());
        body.put("changeId", op.changeId());
        if (baseVersion > 0) {
          body.put("baseVersion", baseVersion);
        }
        return send("POST", "/sync/" + c, body);
      }
      case PATCH -> {
        ObjectNode body = Json.object();
        body.set("delta", op.payload());
        body.put("timestamp", ts.toString());
        body.put("changeId", op.changeId());
        if (baseVersion > 0) {
          body.put("baseVersion", baseVersion);
        }
        return send("PATCH", "/sync/" + c + "/" + segment(op.recordId()), body);
      }
      case DELETE -> {
        ObjectNode body = Json.object();
        body.put("timestamp", ts.toString());
        body.put("changeId", op.changeId());
        if (baseVersion > 0) {
          body.put("baseVersion", baseVersion);
        }
        return send("DELETE", "/sync/" + c + "/" + segment(op.recordId()), body);
      }
    }
    throw new IllegalStateException("unhandled operation " + op.type());
  }

  /**
   * One outbox entry as an operation of a batch ({@code {op, collection, recordId, data?,
   * timestamp, changeId, baseVersion?}}, the server's WriteBatch shape; a patch's fields go in
   * {@code data}).
   */
  static ObjectNode operation(LocalStore.Op op, long baseVersion) {
    ObjectNode o = Json.object();
    o.put(
        "op",
        switch (op.type()) {
          case INSERT, UPDATE -> "put";
          case PATCH -> "patch";
          case DELETE -> "delete";
        });
    o.put("collection", op.collection());
    o.put("recordId", op.recordId());
    if (op.type() != OperationType.DELETE) {
      o.set("data", op.payload());
    }
    o.put("timestamp", Instant.ofEpochMilli(op.timestamp()).toString());
    o.put("changeId", op.changeId());
    if (baseVersion > 0) {
      o.put("baseVersion", baseVersion);
    }
    return o;
  }

  /**
   * Pushes operations of one collection in one request ({@code POST /sync/{c}} with {@code
   * operations}); a server that takes batches answers 200 with one result per operation.
   */
  Answer pushBatch(String collection, ArrayNode operations) throws IOException {
    ObjectNode body = Json.object();
    body.set("operations", operations);
    return send("POST", "/sync/" + segment(collection), body);
  }

  /** One record, tombstones included; status 404 when the server never had it. */
  Answer get(String collection, String id) throws IOException {
    return send("GET", "/sync/" + segment(collection) + "/" + segment(id), null);
  }

  /** The feed after {@code cursor}; status 410 when the cursor is below the purge horizon. */
  Answer pull(String collection, long cursor, int limit, Map<String, String> where)
      throws IOException {
    StringBuilder q = new StringBuilder("?cursor=").append(cursor).append("&limit=").append(limit);
    where.forEach(
        (field, value) ->
            q.append('&')
                .append(URLEncoder.encode("where[" + field + "]", StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
    return send("GET", "/sync/" + segment(collection) + q, null);
  }

  /** How many requests of this method were sent. */
  long requests(String method) {
    LongAdder n = requests.get(method);
    return n == null ? 0 : n.sum();
  }

  static Page page(JsonNode body) {
    List<Remote> records = new ArrayList<>();
    for (JsonNode r : body.path("records")) {
      records.add(Remote.of(r));
    }
    return new Page(
        records, body.path("nextCursor").asLong(0), body.path("hasMore").asBoolean(false));
  }

  private Answer send(String method, String path, @Nullable ObjectNode body) throws IOException {
    requests.computeIfAbsent(method, m -> new LongAdder()).increment();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(timeout)
            .header("Accept", "application/json");
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    String t = token.get();
    if (t != null) {
      b.header("Authorization", "Bearer " + t);
    }
    HttpResponse<String> response;
    try {
      response = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    JsonNode parsed;
    try {
      String text = response.body();
      parsed = text == null || text.isBlank() ? Json.object() : Json.parse(text);
    } catch (JacksonException e) {
      // A proxy's HTML error page: keep the status, the body says nothing useful.
      parsed = Json.object();
    }
    return new Answer(response.statusCode(), parsed);
  }

  private static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
