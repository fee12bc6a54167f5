package dev.patchbay.client.internal;

import dev.patchbay.client.spi.TransportConnection;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.rpc.JsonRpcCodec;
import dev.patchbay.core.rpc.JsonRpcMessage;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The client half of JSON-RPC: numbers requests (from 1, not reset on reconnect, as the Patches
 * client does), matches answers to calls, and hands notifications on. A call fails only on an error
 * answer or when its connection is lost ({@link #failAll}); the sync coordinator bounds the number
 * of calls it has open, one flush or catch-up per document.
 */
public final class RpcClient {
  private static final Logger LOG = LoggerFactory.getLogger(RpcClient.class);

  private final AtomicLong nextId = new AtomicLong(1);
  private final Map<Long, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

  /** Creates a client with no open calls. */
  public RpcClient() {}

  /**
   * Sends a call on {@code connection}.
   *
   * @return completes with the result ({@code NullNode} when the answer has none), or exceptionally
   *     with the {@link PatchbayException} of an error answer or of a lost connection
   */
  public CompletableFuture<JsonNode> call(
      TransportConnection connection, String method, JsonNode... params) {
    long id = nextId.getAndIncrement();
    CompletableFuture<JsonNode> future = new CompletableFuture<>();
    calls.put(id, future);
    String text = JsonRpcCodec.encode(JsonRpcMessage.Request.of(id, method, params));
    if (!connection.send(text)) {
      calls.remove(id);
      future.completeExceptionally(new PatchbayException(503, "Connection lost"));
    }
    return future;
  }

  /**
   * Handles one inbound message: completes the matching call, or passes a notification to {@code
   * onNotification}. An unreadable message or an answer nobody waits for is logged and dropped.
   */
  public void handle(String text, Consumer<JsonRpcMessage.Notification> onNotification) {
    JsonRpcMessage message;
    try {
      message = JsonRpcCodec.decode(text);
    } catch (RuntimeException e) {
      LOG.warn("Dropping an unreadable message from the server: {}", e.getMessage());
      return;
    }
    if (message instanceof JsonRpcMessage.Notification n) {
      onNotification.accept(n);
    } else if (message instanceof JsonRpcMessage.Response r) {
      CompletableFuture<JsonNode> call = take(r.id().value());
      if (call != null) {
        JsonNode result = r.result();
        call.complete(result == null ? Json.NODES.nullNode() : result);
      }
    } else if (message instanceof JsonRpcMessage.ErrorResponse e) {
      CompletableFuture<JsonNode> call = e.id() == null ? null : take(e.id().value());
      if (call != null) {
        call.completeExceptionally(e.toException());
      } else {
        LOG.warn("Server error without a matching call: {} {}", e.code(), e.message());
      }
    }
  }

  private @Nullable CompletableFuture<JsonNode> take(JsonNode id) {
    return id.isIntegralNumber() ? calls.remove(id.longValue()) : null;
  }

  /** Fails every open call with {@code error}; used when the connection is lost. */
  public void failAll(Throwable error) {
    for (Iterator<CompletableFuture<JsonNode>> it = calls.values().iterator(); it.hasNext(); ) {
      CompletableFuture<JsonNode> call = it.next();
      it.remove();
      call.completeExceptionally(error);
    }
  }
}
