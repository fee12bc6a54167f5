package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/** A JDK WebSocket client that queues every JSON message it receives (tests). */
final class WsClient implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final WebSocket socket;

  private final LinkedBlockingQueue<JsonNode> queue;
  private final CompletableFuture<Integer> closedFuture;
  private final String[] reasonHolder;

  private WsClient(
      WebSocket socket,
      LinkedBlockingQueue<JsonNode> queue,
      CompletableFuture<Integer> closedFuture,
      String[] reasonHolder) {
    this.socket = socket;
    this.queue = queue;
    this.closedFuture = closedFuture;
    this.reasonHolder = reasonHolder;
  }

  static WsClient connect(String uri, String... subprotocols) {
    LinkedBlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    String[] reason = {""};
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder partial = new StringBuilder();

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              queue.add(Json.parse(partial.toString()));
              partial.setLength(0);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int status, String why) {
            reason[0] = why;
            closed.complete(status);
            return null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            closed.complete(1006);
          }
        };
    WebSocket.Builder b = SyncHttp.CLIENT.newWebSocketBuilder().connectTimeout(TIMEOUT);
    if (subprotocols.length > 0) {
      b.subprotocols(
          subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
    }
    WebSocket ws = b.buildAsync(URI.create(uri), listener).orTimeout(10, TimeUnit.SECONDS).join();
    return new WsClient(ws, queue, closed, reason);
  }

  void send(String text) {
    socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Returns the next message, failing when none arrives within the timeout. */
  JsonNode next() {
    try {
      JsonNode m = queue.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).as("a message within " + TIMEOUT).isNotNull();
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Returns the next message, checking its type. */
  JsonNode next(String type) {
    JsonNode m = next();
    assertThat(m.get("type").stringValue()).as("type of " + m).isEqualTo(type);
    return m;
  }

  /** Waits for the server to close the connection and returns the close code. */
  int awaitClose() {
    return closedFuture.orTimeout(10, TimeUnit.SECONDS).join();
  }

  String closeReason() {
    return reasonHolder[0];
  }

  String subprotocol() {
    return socket.getSubprotocol();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(1000, "bye");
    }
    socket.abort();
  }
}
