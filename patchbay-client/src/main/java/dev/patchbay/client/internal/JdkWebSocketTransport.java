package dev.patchbay.client.internal;

import dev.patchbay.client.spi.ConnectRequest;
import dev.patchbay.client.spi.Transport;
import dev.patchbay.client.spi.TransportConnection;
import dev.patchbay.client.spi.TransportListener;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The default transport: a JDK {@code java.net.http.WebSocket}. The JDK socket accepts one send at
 * a time, so each connection keeps its own bounded send queue and writes the next message when the
 * previous one completed; a full queue refuses the message and the client treats the connection as
 * lost (it reconnects and resyncs, which loses nothing because pending changes stay stored).
 */
public final class JdkWebSocketTransport implements Transport {
  private static final ExecutorService HTTP_EXECUTOR =
      Executors.newCachedThreadPool(new NamedThreads("ws"));

  private static final long CLOSE_TIMEOUT_SECONDS = 5;

  /** The largest inbound message; the server's default frame limit is 16 MiB. */
  static final int MAX_MESSAGE_CHARS = 64 * 1024 * 1024;

  private final HttpClient client;
  private final Duration connectTimeout;
  private final int maxQueuedMessages;

  /**
   * Creates a transport; each connection goes to the address of its {@link ConnectRequest} and
   * sends the request's headers with the opening handshake.
   *
   * @param connectTimeout how long the opening handshake may take
   * @param maxQueuedMessages the bound of each connection's send queue
   */
  public JdkWebSocketTransport(Duration connectTimeout, int maxQueuedMessages) {
    if (maxQueuedMessages < 1) {
      throw new IllegalArgumentException("maxQueuedMessages must be >= 1");
    }
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.maxQueuedMessages = maxQueuedMessages;
    this.client =
        HttpClient.newBuilder().connectTimeout(connectTimeout).executor(HTTP_EXECUTOR).build();
  }

  @Override
  public CompletableFuture<TransportConnection> connect(
      ConnectRequest request, TransportListener listener) {
    URI target = request.uri();
    if (target == null) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("The WebSocket transport needs a server address"));
    }
    Receiver receiver = new Receiver(listener);
    WebSocket.Builder builder = client.newWebSocketBuilder().connectTimeout(connectTimeout);
    request.headers().forEach(builder::header);
    return builder
        .buildAsync(target, receiver)
        .thenApply(ws -> new Connection(ws, receiver, maxQueuedMessages));
  }

  /** Reassembles fragmented text and hands whole messages on, one at a time. */
  private static final class Receiver implements WebSocket.Listener {
    private final TransportListener listener;
    private final StringBuilder partial = new StringBuilder();
    private boolean ended;
    private volatile @Nullable CompletableFuture<Void> pong;

    Receiver(TransportListener listener) {
      this.listener = listener;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      if (partial.length() + data.length() > MAX_MESSAGE_CHARS) {
        // A bounded buffer: a message this large is not Patches traffic; drop the connection.
        partial.setLength(0);
        ws.abort();
        onError(ws, new IllegalStateException("Message over " + MAX_MESSAGE_CHARS + " chars"));
        return null;
      }
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        listener.onText(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      CompletableFuture<Void> waiting = pong;
      pong = null;
      if (waiting != null) {
        waiting.complete(null);
      }
      ws.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      if (!ended) {
        ended = true;
        listener.onClosed(statusCode, reason);
      }
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      if (!ended) {
        ended = true;
        listener.onError(error);
      }
    }
  }

  private static final class Connection implements TransportConnection {
    private final WebSocket ws;
    private final Receiver receiver;
    private final int maxQueued;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean sending;
    private boolean closed;

    Connection(WebSocket ws, Receiver receiver, int maxQueued) {
      this.ws = ws;
      this.receiver = receiver;
      this.maxQueued = maxQueued;
    }

    @Override
    public boolean send(String text) {
      synchronized (this) {
        if (closed || queue.size() >= maxQueued) {
          return false;
        }
        queue.add(text);
        if (sending) {
          return true;
        }
        sending = true;
      }
      pump();
      return true;
    }

    private void pump() {
      String next;
      synchronized (this) {
        next = closed ? null : queue.poll();
        if (next == null) {
          sending = false;
          return;
        }
      }
      ws.sendText(next, true)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  ws.abort(); // the receiver's onError/onClose reports the loss
                  return;
                }
                pump();
              });
    }

    @Override
    public CompletableFuture<Void> ping() {
      CompletableFuture<Void> answered = new CompletableFuture<>();
      receiver.pong = answered;
      try {
        ws.sendPing(ByteBuffer.allocate(0))
            .whenComplete(
                (r, e) -> {
                  if (e != null) {
                    answered.completeExceptionally(e);
                  }
                });
      } catch (RuntimeException e) {
        answered.completeExceptionally(e); // a ping still outstanding: the last one went unanswered
      }
      return answered;
    }

    @Override
    public void close() {
      synchronized (this) {
        if (closed) {
          return;
        }
        closed = true;
        queue.clear();
      }
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
            .orTimeout(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .whenComplete(
                (r, e) -> {
                  if (e != null) {
                    ws.abort();
                  }
                });
      } catch (RuntimeException e) {
        ws.abort();
      }
    }
  }
}
