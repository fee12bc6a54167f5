package dev.patchbay.collections.client;

import dev.patchbay.core.json.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The realtime link: a WebSocket on the server's {@code /sync/ws} subscribed to every configured
 * collection. It does not apply what it hears; a change announced for a collection asks for a sync
 * run, whose cursor pull fetches it with the usual conflict handling, and every (re)connect does
 * the same, so nothing missed while disconnected is lost. Local changes still leave through the
 * outbox over HTTP. Reconnects back off exponentially; after {@code maxAttempts} failures in a row
 * the state is {@link RealtimeState#ERROR} and only interval syncs remain.
 */
final class Realtime {
  private static final Logger log = LoggerFactory.getLogger(Realtime.class);
  private static final Set<String> CHANGES = Set.of("insert", "update", "delete", "sync");

  private final URI endpoint;
  private final Supplier<@Nullable String> token;
  private final List<String> collections;
  private final HttpClient http;
  private final Executor callbacks;
  private final ScheduledExecutorService scheduler;
  private final DefaultCollectionsClient client;
  private final Duration base;
  private final Duration cap;
  private final int maxAttempts;
  private final Duration timeout;

  // Guarded by this.
  private RealtimeState state = RealtimeState.DISCONNECTED;
  private @Nullable WebSocket socket;
  private int failures;
  private boolean stopped;

  Realtime(
      URI baseUrl,
      Supplier<@Nullable String> token,
      List<String> collections,
      HttpClient http,
      Executor callbacks,
      ScheduledExecutorService scheduler,
      DefaultCollectionsClient client,
      Duration base,
      Duration cap,
      int maxAttempts,
      Duration timeout) {
    String b = baseUrl.toString().replaceFirst("^http", "ws");
    this.endpoint = URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/sync/ws");
    this.token = token;
    this.collections = List.copyOf(collections);
    this.http = http;
    this.callbacks = callbacks;
    this.scheduler = scheduler;
    this.client = client;
    this.base = base;
    this.cap = cap;
    this.maxAttempts = maxAttempts;
    this.timeout = timeout;
  }

  synchronized RealtimeState state() {
    return state;
  }

  void start() {
    synchronized (this) {
      setState(RealtimeState.CONNECTING);
    }
    connect();
  }

  private void connect() {
    String t = token.get(); // asked at every attempt, so a rotated token is used on reconnect
    URI uri =
        t == null
            ? endpoint
            : URI.create(endpoint + "?token=" + URLEncoder.encode(t, StandardCharsets.UTF_8));
    http.newWebSocketBuilder()
        .connectTimeout(timeout)
        .buildAsync(uri, new Listener())
        .whenCompleteAsync(
            (ws, error) -> {
              if (error != null) {
                lost("connect failed: " + error);
                return;
              }
              boolean keep;
              synchronized (this) {
                keep = !stopped;
                if (keep) {
                  socket = ws;
                  failures = 0;
                  setState(RealtimeState.CONNECTED);
                }
              }
              if (!keep) {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
                return;
              }
              for (String c : collections) {
                ObjectNode sub = Json.object();
                sub.put("type", "subscribe");
                sub.put("collection", c);
                ws.sendText(Json.write(sub), true);
              }
              ObjectNode meta = Json.object();
              collections.forEach(meta.putArray("collections")::add);
              client.emit(SyncEventType.REALTIME_CONNECTED, null, null, meta, null);
              client.requestSync(); // catch up on whatever changed while away
            },
            callbacks); // on our named threads, not the HTTP client's internal one
  }

  /** The connection ended or could not be made: back off and try again, or give up. */
  private void lost(String why) {
    long delay;
    synchronized (this) {
      socket = null;
      if (stopped) {
        return;
      }
      failures++;
      if (maxAttempts > 0 && failures > maxAttempts) {
        setState(RealtimeState.ERROR);
        log.warn("realtime: giving up after {} attempts ({})", maxAttempts, why);
        return;
      }
      setState(RealtimeState.RECONNECTING);
      int shift = Math.min(failures - 1, 30);
      delay = Math.min(cap.toMillis(), base.toMillis() << shift);
    }
    log.debug("realtime: {}; reconnecting in {} ms", why, delay);
    try {
      scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The client is closing.
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

  void stop() {
    WebSocket ws;
    synchronized (this) {
      stopped = true;
      ws = socket;
      socket = null;
      setState(RealtimeState.DISCONNECTED);
    }
    if (ws != null) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
    }
  }

  private void heard(String text) {
    JsonNode msg;
    try {
      msg = Json.parse(text);
    } catch (JacksonException e) {
      log.debug("realtime: dropped a message that is not JSON");
      return;
    }
    String type = msg.path("type").asString("");
    String collection = msg.path("collection").asString("");
    if (CHANGES.contains(type) && collections.contains(collection)) {
      client.requestSync();
    } else if (type.equals("error")) {
      log.warn(
          "realtime: server error {} {}",
          msg.path("code").asString(""),
          msg.path("error").asString(""));
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public @Nullable CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        heard(text);
      }
      ws.request(1);
      return null;
    }

    @Override
    public @Nullable CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      lost("closed " + status + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      lost("error " + error);
    }
  }
}
