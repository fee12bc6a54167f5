package dev.patchbay.collections.client;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The realtime link: a WebSocket on the server's {@code /sync/ws} subscribed to every configured
 * collection. A change it hears goes to the client, which applies it through the pull's conflict
 * path when its feed position is the next one and pulls otherwise; every subscription asks for a
 * catch-up pull from the cursor, so nothing missed while disconnected is lost. While connected to a
 * server that answers {@code batch} messages, the outbox is pushed over it ({@link #pushBatch}); a
 * lost connection fails the unanswered batch at once, so the caller retries it over HTTP.
 *
 * <p>Connection rules (Paperlyte's, findings B6): the state is {@code CONNECTING} as soon as {@link
 * #start} is called; an attempt not connected within the connect timeout fails with "connection
 * timeout"; a lost connection is retried after {@code base · 2^i} capped at {@code cap}, and after
 * {@code maxAttempts} failures in a row the state is {@code ERROR}; a {@code ping} goes out every
 * {@code pingInterval} and a missing {@code pong} after {@code pongTimeout} closes the connection
 * (and reconnects); {@link #stop} never reconnects. The socket and the timers are injected, so
 * tests drive all of it with a manual clock.
 */
final class Realtime {
  private static final Logger log = LoggerFactory.getLogger(Realtime.class);
  private static final Set<String> CHANGES = Set.of("insert", "update", "delete");

  /** The connection was lost (or never there) before a batch was answered. */
  static final class Lost extends IOException {
    Lost(String why) {
      super(why);
    }
  }

  /** An open connection. */
  interface Socket {
    void send(String text);

    void close();
  }

  /** Opens connections; {@code onText} and {@code onClosed} are called for that connection. */
  interface Connector {
    CompletableFuture<Socket> connect(URI uri, Consumer<String> onText, Consumer<String> onClosed);
  }

  /** Runs a task after a delay; the returned handle cancels it. */
  interface Timers {
    Runnable schedule(Runnable task, long delayMillis);
  }

  /** Timings of the connection. */
  record Settings(
      Duration base,
      Duration cap,
      int maxAttempts,
      Duration connectTimeout,
      Duration pingInterval,
      Duration pongTimeout) {}

  private final URI endpoint;
  private final Supplier<@Nullable String> token;
  private final List<String> collections;
  private final Connector connector;
  private final Timers timers;
  private final DefaultCollectionsClient client;
  private final Settings settings;

  // Guarded by this. A generation number tells the callbacks of an old connection to keep out.
  private RealtimeState state = RealtimeState.DISCONNECTED;
  private @Nullable Socket socket;
  private int generation;
  private int failures;
  private boolean stopped;
  private @Nullable Runnable pendingTimer;
  private @Nullable Runnable pongTimer;
  private boolean batchReady; // the server said, when subscribing, that it answers batches
  private long nextRequest;
  private final Map<String, CompletableFuture<JsonNode>> awaiting = new HashMap<>();

  Realtime(
      URI baseUrl,
      Supplier<@Nullable String> token,
      List<String> collections,
      Connector connector,
      Timers timers,
      DefaultCollectionsClient client,
      Settings settings) {
    String b = baseUrl.toString().replaceFirst("^http", "ws");
    this.endpoint = URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/sync/ws");
    this.token = token;
    this.collections = List.copyOf(collections);
    this.connector = connector;
    this.timers = timers;
    this.client = client;
    this.settings = settings;
  }

  /** The JDK WebSocket, its callbacks moved to {@code callbacks} (named threads). */
  static Connector jdk(HttpClient http, Duration connectTimeout, Executor callbacks) {
    return (uri, onText, onClosed) -> {
      CompletableFuture<Socket> out = new CompletableFuture<>();
      http.newWebSocketBuilder()
          .connectTimeout(connectTimeout)
          .buildAsync(uri, new JdkListener(onText, onClosed))
          .whenCompleteAsync(
              (ws, error) -> {
                if (error != null) {
                  out.completeExceptionally(error);
                } else if (!out.complete(new JdkSocket(ws))) {
                  ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed"); // timed out meanwhile
                }
              },
              callbacks); // success and failure both on our named threads
      return out;
    };
  }

  /** The JDK allows one outstanding send per WebSocket: sends are chained. */
  private static final class JdkSocket implements Socket {
    private CompletableFuture<WebSocket> last; // guarded by this

    JdkSocket(WebSocket ws) {
      this.last = CompletableFuture.completedFuture(ws);
    }

    @Override
    public synchronized void send(String text) {
      last = last.thenCompose(w -> w.sendText(text, true));
    }

    @Override
    public synchronized void close() {
      last = last.thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, "client closed"));
    }
  }

  static Timers timers(ScheduledExecutorService scheduler) {
    return (task, delay) -> {
      try {
        ScheduledFuture<?> f = scheduler.schedule(task, delay, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
      } catch (RejectedExecutionException e) {
        return () -> {}; // the client is closing
      }
    };
  }

  synchronized RealtimeState state() {
    return state;
  }

  synchronized void start() {
    stopped = false;
    setState(RealtimeState.CONNECTING);
    connect();
  }

  // Called holding this.
  private void connect() {
    int gen = ++generation;
    String t = token.get(); // asked at every attempt, so a rotated token is used on reconnect
    URI uri =
        t == null
            ? endpoint
            : URI.create(endpoint + "?token=" + URLEncoder.encode(t, StandardCharsets.UTF_8));
    CompletableFuture<Socket> attempt =
        connector.connect(uri, text -> heard(gen, text), why -> lost(gen, why));
    pendingTimer =
        timers.schedule(
            () -> {
              if (attempt.completeExceptionally(new IllegalStateException("connection timeout"))) {
                lost(gen, "connection timeout");
              }
            },
            settings.connectTimeout().toMillis());
    attempt.whenComplete(
        (s, error) -> {
          if (error != null) {
            lost(gen, "connect failed: " + error.getMessage());
          } else {
            opened(gen, s);
          }
        });
  }

  private void opened(int gen, Socket s) {
    synchronized (this) {
      if (gen != generation || stopped) {
        s.close();
        return;
      }
      cancel(pendingTimer);
      socket = s;
      failures = 0;
      setState(RealtimeState.CONNECTED);
      for (String c : collections) {
        ObjectNode sub = Json.object();
        sub.put("type", "subscribe");
        sub.put("collection", c);
        s.send(Json.write(sub));
      }
      schedulePing(gen);
    }
    ObjectNode meta = Json.object();
    collections.forEach(meta.putArray("collections")::add);
    client.emit(SyncEventType.REALTIME_CONNECTED, null, null, meta, null);
    // The catch-up pull is asked for once a subscription is confirmed (see heard): a change
    // committed before that would be neither broadcast to us nor in an earlier pull.
  }

  /** Whether batches can go over the socket now. */
  synchronized boolean batchReady() {
    return batchReady && socket != null;
  }

  /**
   * Sends operations as one {@code batch} message; the future completes with the answer's {@code
   * results} (one per operation, in order), or fails with {@link Lost} when the connection is lost
   * first, or with a {@link PatchbayException} when the server refused the batch as a whole. The
   * caller bounds the wait.
   */
  CompletableFuture<JsonNode> pushBatch(ArrayNode operations) {
    Socket s;
    String id;
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    synchronized (this) {
      s = socket;
      if (s == null || !batchReady) {
        return CompletableFuture.failedFuture(new Lost("not connected"));
      }
      id = Long.toString(++nextRequest);
      awaiting.put(id, answer);
    }
    ObjectNode m = Json.object();
    m.put("type", "batch");
    m.putObject("metadata").put("requestId", id);
    m.set("operations", operations);
    s.send(Json.write(m));
    return answer.whenComplete(
        (r, e) -> {
          synchronized (this) {
            awaiting.remove(id);
          }
        });
  }

  // Called holding this.
  private void failAwaiting(String why) {
    List<CompletableFuture<JsonNode>> failed = List.copyOf(awaiting.values());
    awaiting.clear();
    failed.forEach(f -> f.completeExceptionally(new Lost(why)));
  }

  // Called holding this.
  private void schedulePing(int gen) {
    pendingTimer = timers.schedule(() -> ping(gen), settings.pingInterval().toMillis());
  }

  private synchronized void ping(int gen) {
    Socket s = socket;
    if (gen != generation || s == null) {
      return;
    }
    s.send("{\"type\":\"ping\"}");
    pongTimer =
        timers.schedule(
            () -> {
              Socket dead;
              synchronized (this) {
                if (gen != generation) {
                  return;
                }
                dead = socket;
              }
              if (dead != null) {
                dead.close();
              }
              lost(gen, "no pong within " + settings.pongTimeout().toMillis() + " ms");
            },
            settings.pongTimeout().toMillis());
    schedulePing(gen);
  }

  /** The connection ended or could not be made: back off and try again, or give up. */
  private void lost(int gen, String why) {
    synchronized (this) {
      if (gen != generation || stopped) {
        return;
      }
      generation++; // later callbacks of this connection are stale
      socket = null;
      batchReady = false;
      failAwaiting(why);
      cancel(pendingTimer);
      cancel(pongTimer);
      failures++;
      if (settings.maxAttempts() > 0 && failures > settings.maxAttempts()) {
        setState(RealtimeState.ERROR);
        log.warn("realtime: giving up after {} attempts ({})", settings.maxAttempts(), why);
        return;
      }
      setState(RealtimeState.RECONNECTING);
      int shift = Math.min(failures - 1, 30);
      long delay = Math.min(settings.cap().toMillis(), settings.base().toMillis() << shift);
      log.debug("realtime: {}; reconnecting in {} ms", why, delay);
      pendingTimer =
          timers.schedule(
              () -> {
                synchronized (this) {
                  if (!stopped && state == RealtimeState.RECONNECTING) {
                    connect();
                  }
                }
              },
              delay);
    }
  }

  // Called holding this.
  private void setState(RealtimeState next) {
    RealtimeState previous = state;
    if (previous == next) {
      return;
    }
    state = next;
    if (previous == RealtimeState.CONNECTED) {
      ObjectNode meta = Json.object();
      meta.put("state", next.name());
      client.emit(SyncEventType.REALTIME_DISCONNECTED, null, null, meta, null);
    }
  }

  private static void cancel(@Nullable Runnable timer) {
    if (timer != null) {
      timer.run();
    }
  }

  void stop() {
    Socket s;
    synchronized (this) {
      stopped = true;
      generation++;
      s = socket;
      socket = null;
      batchReady = false;
      failAwaiting("closed");
      cancel(pendingTimer);
      cancel(pongTimer);
      setState(RealtimeState.DISCONNECTED);
    }
    if (s != null) {
      s.close();
    }
  }

  private void heard(int gen, String text) {
    JsonNode msg;
    try {
      msg = Json.parse(text);
    } catch (JacksonException e) {
      log.debug("realtime: dropped a message that is not JSON");
      return;
    }
    String type = msg.path("type").asString("");
    if (type.equals("pong")) {
      synchronized (this) {
        if (gen == generation) {
          cancel(pongTimer);
          pongTimer = null;
        }
      }
      return;
    }
    String collection = msg.path("collection").asString("");
    if (type.equals("batch_result")) {
      CompletableFuture<JsonNode> f;
      synchronized (this) {
        f =
            gen == generation
                ? awaiting.get(msg.path("metadata").path("requestId").asString(""))
                : null;
      }
      if (f != null) {
        JsonNode results = msg.get("results");
        if (results != null && results.isArray()) {
          f.complete(results);
        } else {
          f.completeExceptionally(
              new PatchbayException(
                  400,
                  "batch refused: "
                      + msg.path("code").asString("")
                      + " "
                      + msg.path("error").asString("")));
        }
      }
    } else if (type.equals("subscribed") && collections.contains(collection)) {
      synchronized (this) {
        if (gen != generation) {
          return;
        }
        batchReady = msg.path("metadata").path("batch").asBoolean(false);
      }
      client.requestSync(); // catch up from the cursor on whatever changed while away
    } else if (CHANGES.contains(type) && collections.contains(collection)) {
      synchronized (this) {
        if (gen != generation) {
          return;
        }
      }
      client.realtimeChange(collection, msg);
    } else if (type.equals("sync") && collections.contains(collection)) {
      client.requestSync();
    } else if (type.equals("error")) {
      log.warn(
          "realtime: server error {} {}",
          msg.path("code").asString(""),
          msg.path("error").asString(""));
      if (msg.path("code").asString("").equals("RATE_LIMIT_EXCEEDED")) {
        // A refused message gets no other answer: a waiting batch goes over HTTP instead.
        synchronized (this) {
          if (gen == generation) {
            failAwaiting("rate limited");
          }
        }
      }
    }
  }

  private static final class JdkListener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final Consumer<String> onText;
    private final Consumer<String> onClosed;

    JdkListener(Consumer<String> onText, Consumer<String> onClosed) {
      this.onText = onText;
      this.onClosed = onClosed;
    }

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        onText.accept(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      onClosed.accept("closed " + status + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      onClosed.accept("error " + error);
    }
  }
}
