package dev.patchbay.server.patches;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.rpc.JsonRpcCodec;
import dev.patchbay.core.rpc.JsonRpcErrors;
import dev.patchbay.core.rpc.JsonRpcMessage;
import dev.patchbay.core.rpc.JsonRpcMessage.ErrorResponse;
import dev.patchbay.core.rpc.JsonRpcMessage.Request;
import dev.patchbay.core.rpc.JsonRpcMessage.Response;
import dev.patchbay.core.rpc.RpcId;
import dev.patchbay.server.engine.CommitResult;
import dev.patchbay.server.engine.Engine;
import dev.patchbay.server.engine.EngineListener;
import dev.patchbay.server.engine.IncomingChange;
import dev.patchbay.server.engine.Snapshot;
import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.MessageHandler;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrder;
import dev.patchbay.server.spi.VersionOrigin;
import dev.patchbay.server.spi.VersionQuery;
import dev.patchbay.server.spi.VersionUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The {@code patches} dialect: JSON-RPC 2.0 over WebSocket as the Patches JS client speaks it
 * (shared/protocol/patches.md §2). It decodes a frame, checks the parameters, calls the {@link
 * Engine} and encodes the answer; and it fans committed changes out to subscribers as {@code
 * changesCommitted} notifications, encoded once per commit and sent to everyone but the committer.
 *
 * <p>No error answer ever carries a stack trace or a class name: a {@link PatchbayException} goes
 * out with its code, message and data; anything else is logged and answered 500.
 */
public final class PatchesRpcHandler implements MessageHandler, EngineListener {
  private static final Logger log = LoggerFactory.getLogger(PatchesRpcHandler.class);
  private static final int MAX_SUBSCRIBE_IDS = 10_000;

  private static final Set<String> WRITE_METHODS =
      Set.of("commitChanges", "deleteDoc", "undeleteDoc", "createVersion", "updateVersion");
  private static final Set<String> READ_METHODS =
      Set.of(
          "getDoc",
          "getChangesSince",
          "listVersions",
          "getVersionState",
          "getVersionChanges",
          "getStateBeforeVersion");

  private final Subscriptions subscriptions = new Subscriptions();
  // Requests taken but not yet answered; shutdown waits for them so no acknowledged work is lost.
  private final AtomicInteger unanswered = new AtomicInteger();
  private final PatchbayMetrics metrics;
  private final Authorizer authorizer;
  private @Nullable Engine engine;

  /**
   * Creates a handler with its own metrics that grants each connection the rights of its {@link
   * Connection#identity()}; {@link #bind(Engine)} must be called before traffic arrives.
   */
  public PatchesRpcHandler() {
    this(new PatchbayMetrics(), Authorizer.byIdentity());
  }

  /**
   * Creates a handler that records into {@code metrics} and asks {@code authorizer} before every
   * document call; {@link #bind(Engine)} must be called before traffic arrives.
   */
  public PatchesRpcHandler(PatchbayMetrics metrics, Authorizer authorizer) {
    this.metrics = metrics;
    this.authorizer = authorizer;
  }

  /** Binds the engine (the engine and the handler refer to each other). */
  public void bind(Engine engine) {
    this.engine = engine;
  }

  private Engine engine() {
    Engine e = engine;
    if (e == null) {
      throw new IllegalStateException("engine not bound");
    }
    return e;
  }

  /**
   * Waits until every request taken so far has been answered (its answer queued on its connection),
   * or until the timeout; returns whether all were answered.
   */
  public boolean awaitAnswered(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (unanswered.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return unanswered.get() == 0;
  }

  @Override
  public void onOpen(Connection connection) {}

  @Override
  public void onClose(Connection connection) {
    subscriptions.removeAll(connection);
  }

  @Override
  public void onMessage(Connection connection, String text) {
    onCall(connection, () -> JsonRpcCodec.decodeCall(text));
  }

  /** Parses the frame's bytes as they came, without decoding them to a string first. */
  @Override
  public void onMessage(Connection connection, byte[] utf8) {
    onCall(connection, () -> JsonRpcCodec.decodeCall(utf8));
  }

  private void onCall(Connection connection, Supplier<JsonRpcMessage> decode) {
    JsonRpcMessage message;
    try {
      message = decode.get();
    } catch (PatchbayException e) {
      connection.send(JsonRpcCodec.encode(errorFor(null, e)));
      return;
    }
    if (!(message instanceof Request request)) {
      return; // a notification from the client expects no answer; none of ours is one-way
    }
    metrics.messageIn(request.method());
    long started = System.nanoTime();
    CompletableFuture<@Nullable Object> result;
    unanswered.incrementAndGet();
    try {
      result = dispatch(connection, request);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    result.whenComplete(
        (value, error) -> {
          metrics.messageOut(request.method());
          if (error == null && request.method().equals("commitChanges")) {
            metrics.commit(System.nanoTime() - started);
          }
          if (!connection.isOpen()) {
            // Nobody will read it: the client is gone or being closed (a Patches client re-sends
            // its unanswered changes on reconnect; their ids make that safe). Encoding the answer
            // anyway, with a catch-up of thousands of changes, kept an overloaded server busy
            // long after its clients had been dropped.
          } else if (error != null) {
            connection.send(JsonRpcCodec.encode(errorFor(request.id(), error)));
          } else if (value == null) {
            connection.send(JsonRpcCodec.encode(Response.noResult(request.id())));
          } else if (value instanceof ChangesResult raw) {
            connection.send(raw.answer(request.id()));
          } else {
            connection.send(JsonRpcCodec.encode(new Response(request.id(), (JsonNode) value)));
          }
          unanswered.decrementAndGet();
        });
  }

  /** Answers a request over the rate limit with 429 without doing its work. */
  @Override
  public void onThrottled(Connection connection, String text) {
    JsonRpcMessage message;
    try {
      message = JsonRpcCodec.decodeCall(text);
    } catch (PatchbayException e) {
      connection.send(JsonRpcCodec.encode(errorFor(null, e)));
      return;
    }
    if (message instanceof Request request) {
      metrics.error(429);
      connection.send(
          JsonRpcCodec.encode(
              new ErrorResponse(
                  request.id(), 429, "RATE_LIMITED: too many requests, slow down", null)));
    }
  }

  /**
   * A result that carries changes: {@code head}, the array of the changes and {@code tail} (JSON
   * text around it). The answer frame is assembled from the changes' cached bytes in one copy.
   */
  private record ChangesResult(String head, List<Change> changes, String tail) {
    byte[] answer(RpcId id) {
      return changesFrame(
          "{\"jsonrpc\":\"2.0\",\"id\":" + Json.write(id.value()) + ",\"result\":" + head,
          changes,
          tail + "}");
    }
  }

  private CompletableFuture<@Nullable Object> dispatch(Connection c, Request r) {
    Engine engine = engine();
    checkAccess(c, r);
    switch (r.method()) {
      case "ping":
        // For clients that cannot see WebSocket pings (browsers) and want to probe the link.
        return done(Json.NODES.stringNode("pong"));
      case "subscribe":
        return subscribe(c, r);
      case "unsubscribe":
        {
          List<String> ids = docIds(r.param(0));
          for (String id : ids) {
            subscriptions.remove(c, id);
          }
          return done(stringArray(ids));
        }
      case "getDoc":
        {
          String docId = docId(r);
          JsonNode options = optionalObject(r.param(1), "options");
          Long rev = options == null ? null : optionalRev(options.get("rev"), "rev");
          return engine.getDoc(docId, rev).thenApply(PatchesRpcHandler::snapshotJson);
        }
      case "getChangesSince":
        {
          String docId = docId(r);
          long rev = requiredRev(r.param(1), "rev");
          return engine
              .getChangesSince(docId, rev)
              .thenApply(changes -> new ChangesResult("", changes, ""));
        }
      case "commitChanges":
        {
          String docId = docId(r);
          List<IncomingChange> changes = incomingChanges(r.param(1));
          JsonNode options = optionalObject(r.param(2), "options");
          boolean force = options != null && options.path("forceCommit").asBoolean(false);
          log.debug("event=commit conn={} doc={} changes={}", c.id(), docId, changes.size());
          return engine
              .commitChanges(docId, changes, force, c.id())
              .thenApply(PatchesRpcHandler::commitJson);
        }
      case "deleteDoc":
        {
          String docId = docId(r);
          JsonNode options = optionalObject(r.param(1), "options");
          boolean skip = options != null && options.path("skipTombstone").asBoolean(false);
          return engine.deleteDoc(docId, skip, c.id()).thenApply(x -> null);
        }
      case "undeleteDoc":
        return engine.undeleteDoc(docId(r)).thenApply(Json.NODES::booleanNode);
      case "listVersions":
        {
          String docId = docId(r);
          VersionQuery query = versionQuery(optionalObject(r.param(1), "options"));
          return engine.listVersions(docId, query).thenApply(PatchesRpcHandler::versionsJson);
        }
      case "createVersion":
        {
          String docId = docId(r);
          JsonNode meta = optionalObject(r.param(1), "metadata");
          String name = null;
          Map<String, JsonNode> extra = new LinkedHashMap<>();
          if (meta != null) {
            for (Map.Entry<String, JsonNode> e : meta.properties()) {
              if (e.getKey().equals("name")) {
                name = e.getValue().isString() ? e.getValue().stringValue() : null;
              } else if (!VersionMetadata.isNamedMember(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
              }
            }
          }
          return engine
              .createVersion(docId, name, extra)
              .thenApply(id -> id == null ? Json.NODES.nullNode() : Json.NODES.stringNode(id));
        }
      case "updateVersion":
        {
          String docId = docId(r);
          String versionId = requiredString(r.param(1), "versionId");
          JsonNode meta = optionalObject(r.param(2), "metadata");
          VersionUpdate update;
          try {
            update = VersionUpdate.fromJson(meta == null ? Json.object() : meta);
          } catch (IllegalArgumentException e) {
            throw new PatchbayException(400, "INVALID_REQUEST: " + e.getMessage());
          }
          return engine.updateVersion(docId, versionId, update).thenApply(x -> null);
        }
      case "getVersionState":
        return engine
            .getVersionState(docId(r), requiredString(r.param(1), "versionId"))
            .thenApply(s -> s);
      case "getVersionChanges":
        return engine
            .getVersionChanges(docId(r), requiredString(r.param(1), "versionId"))
            .thenApply(PatchesRpcHandler::changesJson);
      case "getStateBeforeVersion":
        return engine
            .getStateBeforeVersion(docId(r), requiredString(r.param(1), "versionId"))
            .thenApply(s -> s == null ? Json.NODES.nullNode() : s);
      default:
        throw new PatchbayException(
            JsonRpcErrors.METHOD_NOT_FOUND, "Unknown method '" + r.method() + "'.");
    }
  }

  /**
   * Refuses a document call the connection's identity may not make: 403 {@code
   * WRITE_FORBIDDEN:<docId>} for writes (the Patches server's message), {@code
   * READ_FORBIDDEN:<docId>} for reads. {@code subscribe} filters instead and {@code unsubscribe}
   * needs no right.
   */
  private void checkAccess(Connection c, Request r) {
    String method = r.method();
    boolean write = WRITE_METHODS.contains(method);
    if (!write && !READ_METHODS.contains(method)) {
      return; // subscribe filters, unsubscribe needs no right, unknown methods answer -32601
    }
    JsonNode first = r.param(0);
    if (first == null || !first.isString() || first.stringValue().isEmpty()) {
      return; // not a document call, or a malformed one that docId() answers with 400
    }
    String docId = first.stringValue();
    if (write) {
      if (!authorizer.canWrite(c.identity(), docId)) {
        throw new PatchbayException(403, "WRITE_FORBIDDEN:" + docId);
      }
    } else if (!authorizer.canRead(c.identity(), docId)) {
      throw new PatchbayException(403, "READ_FORBIDDEN:" + docId);
    }
  }

  private CompletableFuture<@Nullable Object> subscribe(Connection c, Request r) {
    // Ids the identity may not read are left out silently, as the Patches server does.
    List<String> ids = new ArrayList<>();
    for (String id : docIds(r.param(0))) {
      if (authorizer.canRead(c.identity(), id)) {
        ids.add(id);
      }
    }
    List<CompletableFuture<Boolean>> deleted = new ArrayList<>(ids.size());
    for (String id : ids) {
      deleted.add(engine().isDeleted(id));
    }
    return CompletableFuture.allOf(deleted.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            x -> {
              ArrayNode granted = Json.array();
              for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                if (deleted.get(i).join()) {
                  c.send(notification("docDeleted", Json.object().put("docId", id)));
                } else {
                  subscriptions.add(c, id);
                  granted.add(id);
                }
              }
              return granted;
            });
  }

  // ---------------------------------------------------------------------------------------------
  // Fan-out

  /** A single commit (an LWW write, or a batch of one): the batch path with one commit. */
  @Override
  public void changesCommitted(String docId, List<Change> changes, @Nullable String originId) {
    batchCommitted(docId, List.of(new EngineListener.Committed(changes, originId)));
  }

  /**
   * Sends each subscriber one {@code changesCommitted} for the whole batch instead of one per
   * commit: under load a batch holds many commits, so this divides the frames sent (and parsed by
   * every client) by the batch size. As with one notification per commit, no connection is sent its
   * own changes: a committer gets the batch without them. Those of its changes' predecessors its
   * answer already carried arrive again here, as stale changes a client skips (rev at or below its
   * committed revision), so a client that counts only notifications still sees every change of
   * another connection. The frame of everyone who committed nothing in the batch is encoded once
   * and shared; each committer's is assembled from the changes' cached bytes.
   */
  @Override
  public void batchCommitted(String docId, List<EngineListener.Committed> commits) {
    var subscribers = subscriptions.subscribers(docId);
    if (subscribers.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    List<Change> all = new ArrayList<>();
    Set<String> origins = new HashSet<>();
    for (EngineListener.Committed c : commits) {
      all.addAll(c.changes());
      if (c.originConnectionId() != null) {
        origins.add(c.originConnectionId());
      }
    }
    byte[] everything = null;
    List<Connection> committers = new ArrayList<>(origins.size());
    int sent = 0;
    for (Connection c : subscribers) {
      if (origins.contains(c.id())) {
        committers.add(c);
        continue;
      }
      if (everything == null) {
        everything = changesCommittedFrame(docId, all);
      }
      c.sendShared(everything);
      sent++;
    }
    for (Connection c : committers) {
      List<Change> others = new ArrayList<>(all.size());
      for (EngineListener.Committed commit : commits) {
        if (!c.id().equals(commit.originConnectionId())) {
          others.addAll(commit.changes());
        }
      }
      if (!others.isEmpty()) {
        c.send(changesCommittedFrame(docId, others));
        sent++;
      }
    }
    if (sent > 0) {
      metrics.fanout(System.nanoTime() - started);
      metrics.messageOut("changesCommitted", sent);
    }
  }

  private static byte[] changesCommittedFrame(String docId, List<Change> changes) {
    return changesFrame(
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":"
            + Json.quote(docId)
            + ",\"changes\":",
        changes,
        "}}");
  }

  @Override
  public void storeWritten(String docId, long nanos) {
    metrics.storeWrite(nanos);
  }

  @Override
  public void docDeleted(String docId, @Nullable String originId) {
    byte[] frame =
        notification("docDeleted", Json.object().put("docId", docId))
            .getBytes(StandardCharsets.UTF_8);
    int sent = 0;
    for (Connection c : subscriptions.subscribers(docId)) {
      if (!c.id().equals(originId)) {
        c.sendShared(frame);
        sent++;
      }
    }
    metrics.messageOut("docDeleted", sent);
  }

  private static String notification(String method, JsonNode params) {
    return JsonRpcCodec.encode(new JsonRpcMessage.Notification(method, params));
  }

  // ---------------------------------------------------------------------------------------------
  // Encoding

  private static ChangesResult snapshotJson(Snapshot s) {
    JsonNode state = s.state() == null ? Json.NODES.nullNode() : s.state();
    return new ChangesResult(
        "{\"state\":" + Json.write(state) + ",\"rev\":" + s.rev() + ",\"changes\":",
        s.changes(),
        "}");
  }

  private static ChangesResult commitJson(CommitResult result) {
    return new ChangesResult(
        "{\"changes\":",
        result.changes(),
        result.docReloadRequired() ? ",\"docReloadRequired\":true}" : "}");
  }

  /**
   * {@code head}, the JSON array of {@code changes} and {@code tail} as UTF-8, sized exactly and
   * filled with one copy of each change's cached bytes: a commit answer near saturation carries
   * hundreds of catch-up changes, and building it through a string cost four passes over them.
   */
  static byte[] changesFrame(String head, List<Change> changes, String tail) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] t = tail.getBytes(StandardCharsets.UTF_8);
    int size = h.length + t.length + 2 + Math.max(0, changes.size() - 1);
    for (Change c : changes) {
      size += c.toJsonBytes().length;
    }
    byte[] out = new byte[size];
    System.arraycopy(h, 0, out, 0, h.length);
    int pos = h.length;
    out[pos++] = '[';
    for (int i = 0; i < changes.size(); i++) {
      if (i > 0) {
        out[pos++] = ',';
      }
      byte[] c = changes.get(i).toJsonBytes();
      System.arraycopy(c, 0, out, pos, c.length);
      pos += c.length;
    }
    out[pos++] = ']';
    System.arraycopy(t, 0, out, pos, t.length);
    return out;
  }

  static ArrayNode changesJson(List<Change> changes) {
    ArrayNode array = Json.array();
    for (Change c : changes) {
      array.add(c.toJson());
    }
    return array;
  }

  private static JsonNode versionsJson(List<VersionMetadata> versions) {
    ArrayNode array = Json.array();
    for (VersionMetadata v : versions) {
      array.add(v.toJson());
    }
    return array;
  }

  private ErrorResponse errorFor(@Nullable RpcId id, Throwable error) {
    ErrorResponse response = errorResponse(id, error);
    metrics.error(response.code());
    return response;
  }

  private static ErrorResponse errorResponse(@Nullable RpcId id, Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof PatchbayException p) {
      if (id == null && p.code() == JsonRpcErrors.INVALID_REQUEST) {
        return new ErrorResponse(null, p.code(), messageOf(p), p.data());
      }
      return new ErrorResponse(id, p.code(), messageOf(p), p.data());
    }
    log.error("internal error answering a request", cause);
    return new ErrorResponse(id, 500, "Internal server error", null);
  }

  private static String messageOf(PatchbayException e) {
    return e.getMessage() == null ? "Error" : e.getMessage();
  }

  // ---------------------------------------------------------------------------------------------
  // Parameter checks: every problem is a 400 that says which parameter is wrong.

  private static String docId(Request r) {
    JsonNode p = r.param(0);
    if (p == null || !p.isString() || p.stringValue().isEmpty()) {
      throw new PatchbayException(
          400, "INVALID_REQUEST: docId is required and must be a non-empty string");
    }
    String id = p.stringValue();
    if (id.length() > 1024) {
      throw new PatchbayException(400, "INVALID_REQUEST: docId is longer than 1024 characters");
    }
    return id;
  }

  private static List<String> docIds(@Nullable JsonNode p) {
    if (p != null && p.isString() && !p.stringValue().isEmpty()) {
      return List.of(p.stringValue());
    }
    if (p == null || !p.isArray()) {
      throw new PatchbayException(
          400, "INVALID_REQUEST: ids must be a string or an array of strings");
    }
    if (p.size() > MAX_SUBSCRIBE_IDS) {
      throw new PatchbayException(
          400, "INVALID_REQUEST: at most " + MAX_SUBSCRIBE_IDS + " ids per call");
    }
    List<String> ids = new ArrayList<>(p.size());
    for (JsonNode id : p) {
      if (!id.isString() || id.stringValue().isEmpty() || id.stringValue().length() > 1024) {
        throw new PatchbayException(400, "INVALID_REQUEST: every id must be a non-empty string");
      }
      ids.add(id.stringValue());
    }
    return ids;
  }

  private static List<IncomingChange> incomingChanges(@Nullable JsonNode p) {
    if (p == null || !p.isArray()) {
      throw new PatchbayException(400, "INVALID_REQUEST: changes must be an array");
    }
    List<IncomingChange> changes = new ArrayList<>(p.size());
    for (JsonNode c : p) {
      changes.add(IncomingChange.fromJson(c));
    }
    return changes;
  }

  private static @Nullable JsonNode optionalObject(@Nullable JsonNode p, String name) {
    if (p == null || p.isNull()) {
      return null;
    }
    if (!p.isObject()) {
      throw new PatchbayException(400, "INVALID_REQUEST: " + name + " must be an object");
    }
    return p;
  }

  private static String requiredString(@Nullable JsonNode p, String name) {
    if (p == null || !p.isString() || p.stringValue().isEmpty()) {
      throw new PatchbayException(400, "INVALID_REQUEST: " + name + " must be a non-empty string");
    }
    return p.stringValue();
  }

  private static long requiredRev(@Nullable JsonNode p, String name) {
    Long rev = optionalRev(p, name);
    if (rev == null) {
      throw new PatchbayException(400, "INVALID_REQUEST: " + name + " is required");
    }
    return rev;
  }

  private static @Nullable Long optionalRev(@Nullable JsonNode p, String name) {
    if (p == null || p.isNull()) {
      return null;
    }
    if (!p.isNumber() || p.doubleValue() < 0 || p.doubleValue() != Math.rint(p.doubleValue())) {
      throw new PatchbayException(
          400, "INVALID_REQUEST: " + name + " must be a non-negative integer");
    }
    return p.longValue();
  }

  private static VersionQuery versionQuery(@Nullable JsonNode o) {
    VersionQuery q = VersionQuery.orderBy(VersionOrder.STARTED_AT);
    if (o == null) {
      return q;
    }
    JsonNode orderBy = o.get("orderBy");
    if (orderBy != null && !orderBy.isNull()) {
      q = VersionQuery.orderBy(VersionOrder.fromWire(requiredString(orderBy, "orderBy")));
    }
    if (o.path("reverse").asBoolean(false)) {
      q = q.reversed();
    }
    Long startAfter = optionalRev(o.get("startAfter"), "startAfter");
    if (startAfter != null) {
      q = q.startAfter(startAfter);
    }
    Long endBefore = optionalRev(o.get("endBefore"), "endBefore");
    if (endBefore != null) {
      q = q.endBefore(endBefore);
    }
    Long limit = optionalRev(o.get("limit"), "limit");
    if (limit != null) {
      q = q.limit((int) Math.min(limit, 10_000));
    }
    JsonNode origin = o.get("origin");
    if (origin != null && !origin.isNull()) {
      q = q.origin(VersionOrigin.fromWire(requiredString(origin, "origin")));
    }
    JsonNode groupId = o.get("groupId");
    if (groupId != null && !groupId.isNull()) {
      q = q.groupId(requiredString(groupId, "groupId"));
    }
    return q;
  }

  private static CompletableFuture<@Nullable Object> done(JsonNode value) {
    return CompletableFuture.completedFuture(value);
  }

  private static ArrayNode stringArray(List<String> values) {
    ArrayNode array = Json.array();
    values.forEach(array::add);
    return array;
  }
}
