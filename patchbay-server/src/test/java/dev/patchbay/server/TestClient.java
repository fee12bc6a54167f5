package dev.patchbay.server;

import dev.patchbay.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A raw JSON-RPC WebSocket client for tests, on the JDK client: it sends frames as given and
 * collects what comes back, answers by id and notifications in order.
 */
public final class TestClient implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final WebSocket socket;
  private final ConcurrentHashMap<Long, CompletableFuture<JsonNode>> pending =
      new ConcurrentHashMap<>();
  public final BlockingQueue<JsonNode> notifications = new LinkedBlockingQueue<>();
  public final BlockingQueue<JsonNode> unmatched = new LinkedBlockingQueue<>();
  public final CompletableFuture<String> closed = new CompletableFuture<>();
  private final AtomicLong ids = new AtomicLong();

  public TestClient(URI uri) {
    this(uri, b -> b);
  }

  /**
   * Connects with a builder prepared by {@code configure} (headers, subprotocols).
   *
   * @throws java.util.concurrent.CompletionException wrapping {@link
   *     java.net.http.WebSocketHandshakeException} when the server refuses the upgrade
   */
  public TestClient(URI uri, UnaryOperator<WebSocket.Builder> configure) {
    this.socket =
        configure
            .apply(HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT))
            .buildAsync(uri, new Listener())
            .orTimeout(20, TimeUnit.SECONDS)
            .join();
  }

  /** Returns the subprotocol the server selected, or an empty string. */
  public String subprotocol() {
    return socket.getSubprotocol();
  }

  /** Sends {@code method(params…)} and waits for the whole response envelope. */
  public JsonNode call(String method, JsonNode... params) {
    long id = ids.incrementAndGet();
    ObjectNode request = Json.object().put("jsonrpc", "2.0").put("id", id).put("method", method);
    ArrayNode array = request.putArray("params");
    for (JsonNode p : params) {
      array.add(p);
    }
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    send(Json.write(request));
    return answer.orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Sends {@code method(params…)} and returns its result, failing on an error answer. */
  public JsonNode result(String method, JsonNode... params) {
    JsonNode response = call(method, params);
    if (response.has("error")) {
      throw new AssertionError("error answer: " + response);
    }
    return response.get("result");
  }

  public void send(String text) {
    socket.sendText(text, true).orTimeout(20, TimeUnit.SECONDS).join();
  }

  /** Waits for the next notification. */
  JsonNode nextNotification() {
    try {
      JsonNode n = notifications.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (n == null) {
        throw new AssertionError("no notification within " + TIMEOUT);
      }
      return n;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Waits for the next frame that matched no pending call (errors with a null id). */
  JsonNode nextUnmatched() {
    try {
      JsonNode n = unmatched.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (n == null) {
        throw new AssertionError("no frame within " + TIMEOUT);
      }
      return n;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonNode frame = Json.parse(partial.toString());
        partial.setLength(0);
        JsonNode id = frame.get("id");
        if (frame.has("method") && id == null) {
          notifications.add(frame);
        } else if (id != null && id.isNumber() && pending.containsKey(id.longValue())) {
          pending.remove(id.longValue()).complete(frame);
        } else {
          unmatched.add(frame);
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete("error " + error);
    }
  }

  static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }
}
