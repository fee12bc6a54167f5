package dev.patchbay.collections.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.core.json.Json;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The connection rules of the realtime link (Paperlyte's B6 checklist) with a manual clock: state
 * machine, doubling backoff with a cap, the attempt limit, manual stop, heartbeat and pong timeout,
 * connect timeout, stale callbacks, bad messages.
 */
class RealtimeConnectionTest {
  @TempDir Path tmp;
  private DefaultCollectionsClient client;
  private final FakeTimers timers = new FakeTimers();
  private final FakeConnector connector = new FakeConnector();
  private Realtime realtime;

  /** Timers run by {@link #advance}; cancelled ones never run. */
  static final class FakeTimers implements Realtime.Timers {
    private final class Task {
      final long due;
      final Runnable run;
      boolean cancelled;

      Task(long due, Runnable run) {
        this.due = due;
        this.run = run;
      }
    }

    private final List<Task> tasks = new ArrayList<>();
    private long now;

    @Override
    public synchronized Runnable schedule(Runnable task, long delayMillis) {
      Task t = new Task(now + delayMillis, task);
      tasks.add(t);
      return () -> t.cancelled = true;
    }

    void advance(long millis) {
      long until = now + millis;
      while (true) {
        Task next;
        synchronized (this) {
          next =
              tasks.stream()
                  .filter(t -> !t.cancelled && t.due <= until)
                  .min(Comparator.comparingLong(t -> t.due))
                  .orElse(null);
          if (next == null) {
            now = until;
            return;
          }
          tasks.remove(next);
          now = next.due;
        }
        next.run.run();
      }
    }
  }

  /** One connection attempt the test completes, fails or drives. */
  static final class Attempt implements Realtime.Socket {
    final CompletableFuture<Realtime.Socket> future = new CompletableFuture<>();
    final Consumer<String> onText;
    final Consumer<String> onClosed;
    final URI uri;
    final List<String> sent = new ArrayList<>();
    boolean closed;

    Attempt(URI uri, Consumer<String> onText, Consumer<String> onClosed) {
      this.uri = uri;
      this.onText = onText;
      this.onClosed = onClosed;
    }

    void open() {
      future.complete(this);
    }

    void fail() {
      future.completeExceptionally(new java.net.ConnectException("refused"));
    }

    @Override
    public void send(String text) {
      sent.add(text);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class FakeConnector implements Realtime.Connector {
    final List<Attempt> attempts = new ArrayList<>();

    @Override
    public CompletableFuture<Realtime.Socket> connect(
        URI uri, Consumer<String> onText, Consumer<String> onClosed) {
      Attempt a = new Attempt(uri, onText, onClosed);
      attempts.add(a);
      return a.future;
    }

    Attempt last() {
      return attempts.get(attempts.size() - 1);
    }
  }

  @BeforeEach
  void start() throws Exception {
    client =
        (DefaultCollectionsClient)
            CollectionsClient.builder()
                .baseUrl(LocalCollectionTest.closedPortUrl())
                .dataDirectory(tmp)
                .collections("todos", "notes")
                .autoSync(false)
                .build();
    realtime =
        new Realtime(
            URI.create("http://127.0.0.1:9/"),
            () -> "tok en",
            List.of("todos", "notes"),
            connector,
            timers,
            client,
            new Realtime.Settings(
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                10,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() {
    realtime.stop();
    client.close();
  }

  /** Advances the clock until the next connection attempt starts. */
  private void nextAttempt() {
    int before = connector.attempts.size();
    for (int i = 0; i < 1000 && connector.attempts.size() == before; i++) {
      timers.advance(100);
    }
    assertThat(connector.attempts).hasSize(before + 1);
  }

  private void connected() {
    realtime.start();
    connector.last().open();
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTED);
  }

  @Test
  void start_isConnectingAtOnce_connectedOnOpen_subscribesEveryCollection() {
    realtime.start();
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTING);
    assertThat(connector.last().uri.toString()).isEqualTo("ws://127.0.0.1:9/sync/ws?token=tok+en");
    connector.last().open();
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTED);
    assertThat(connector.last().sent)
        .containsExactly(
            "{\"type\":\"subscribe\",\"collection\":\"todos\"}",
            "{\"type\":\"subscribe\",\"collection\":\"notes\"}");
  }

  @Test
  void abnormalClose_reconnectsAfterDoublingDelays_cappedAt30s() {
    connected();
    connector.last().onClosed.accept("closed 1006");
    assertThat(realtime.state()).isEqualTo(RealtimeState.RECONNECTING);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      int before = connector.attempts.size();
      long waited = 0;
      while (connector.attempts.size() == before) {
        timers.advance(100);
        waited += 100;
      }
      delays.add(waited);
      connector.last().fail();
      assertThat(realtime.state()).isEqualTo(RealtimeState.RECONNECTING);
    }
    assertThat(delays).containsExactly(1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L);
  }

  @Test
  void everyAttemptFailing_endsInErrorAfterTheCap_andStopsTrying() {
    realtime.start();
    connector.last().fail(); // the first try
    for (int i = 0; i < 10; i++) {
      assertThat(realtime.state()).isEqualTo(RealtimeState.RECONNECTING);
      nextAttempt();
      connector.last().fail();
    }
    assertThat(connector.attempts).hasSize(11);
    assertThat(realtime.state()).isEqualTo(RealtimeState.ERROR);
    timers.advance(600_000);
    assertThat(connector.attempts).hasSize(11);
  }

  @Test
  void successfulConnect_resetsTheBackoff() {
    connected();
    connector.last().onClosed.accept("closed 1006");
    timers.advance(1000);
    connector.last().fail();
    timers.advance(2000);
    connector.last().open();
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTED);
    connector.last().onClosed.accept("closed 1006");
    int before = connector.attempts.size();
    timers.advance(1000);
    assertThat(connector.attempts).hasSize(before + 1);
  }

  @Test
  void manualStop_closesAndNeverReconnects() {
    connected();
    Attempt socket = connector.last();
    realtime.stop();
    assertThat(socket.closed).isTrue();
    assertThat(realtime.state()).isEqualTo(RealtimeState.DISCONNECTED);
    socket.onClosed.accept("closed 1000");
    timers.advance(600_000);
    assertThat(connector.attempts).hasSize(1);
    assertThat(socket.sent).noneMatch(m -> m.contains("ping"));
  }

  @Test
  void heartbeat_pingEvery30s_pongKeepsTheConnection() {
    connected();
    Attempt socket = connector.last();
    timers.advance(29_999);
    assertThat(socket.sent).noneMatch(m -> m.contains("ping"));
    timers.advance(1);
    assertThat(socket.sent).last().isEqualTo("{\"type\":\"ping\"}");
    socket.onText.accept("{\"type\":\"pong\"}");
    timers.advance(10_000);
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTED);
    assertThat(socket.closed).isFalse();
    timers.advance(20_000);
    assertThat(socket.sent.stream().filter(m -> m.contains("ping")).count()).isEqualTo(2);
  }

  @Test
  void heartbeat_noPongWithin5s_closesAndReconnects() {
    connected();
    Attempt socket = connector.last();
    timers.advance(30_000);
    timers.advance(4_999);
    assertThat(socket.closed).isFalse();
    timers.advance(1);
    assertThat(socket.closed).isTrue();
    assertThat(realtime.state()).isEqualTo(RealtimeState.RECONNECTING);
    timers.advance(1_000);
    assertThat(connector.attempts).hasSize(2);
  }

  @Test
  void connectNeverAnswering_timesOutAfter10s_asConnectionTimeout() {
    realtime.start();
    timers.advance(9_999);
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTING);
    timers.advance(1);
    assertThat(realtime.state()).isEqualTo(RealtimeState.RECONNECTING);
    assertThat(connector.attempts.get(0).future)
        .failsWithin(Duration.ZERO)
        .withThrowableThat()
        .withMessageContaining("connection timeout");
  }

  @Test
  void oldConnectionsCallbacks_areIgnoredAfterAReconnect() {
    connected();
    Attempt old = connector.last();
    old.onClosed.accept("closed 1006");
    timers.advance(1_000);
    connector.last().open();
    old.onClosed.accept("closed 1006"); // late duplicate from the dead socket
    assertThat(realtime.state()).isEqualTo(RealtimeState.CONNECTED);
  }

  @Test
  void invalidJsonIsDropped_aChangeAnnouncementStartsASync() {
    connected();
    long before = client.metrics().syncAttempts();
    connector.last().onText.accept("not json {");
    connector.last().onText.accept("{\"type\":\"insert\",\"collection\":\"other\"}");
    connector
        .last()
        .onText
        .accept("{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"x\"}");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.metrics().syncAttempts() > before);
  }

  @Test
  void pushBatch_onlyOnceTheServerSaysItTakesBatches_answeredByRequestId_failedWhenLost() {
    connected();
    Attempt a = connector.last();
    assertThat(realtime.batchReady()).isFalse();
    assertThat(realtime.pushBatch(Json.array()))
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(Realtime.Lost.class);
    a.onText.accept(
        "{\"type\":\"subscribed\",\"collection\":\"todos\",\"metadata\":{\"batch\":true}}");
    assertThat(realtime.batchReady()).isTrue();

    CompletableFuture<JsonNode> first = realtime.pushBatch(Json.array().add(1));
    CompletableFuture<JsonNode> second = realtime.pushBatch(Json.array().add(2));
    JsonNode sent = Json.parse(a.sent.get(a.sent.size() - 2));
    assertThat(sent.get("type").stringValue()).isEqualTo("batch");
    assertThat(sent.get("operations").get(0).intValue()).isEqualTo(1);
    String id = sent.get("metadata").get("requestId").stringValue();
    a.onText.accept(
        "{\"type\":\"batch_result\",\"metadata\":{\"requestId\":\""
            + id
            + "\"},\"results\":[{\"status\":200}]}");
    assertThat(first.join().get(0).get("status").intValue()).isEqualTo(200);
    assertThat(second).isNotDone();

    a.onClosed.accept("closed 1006");
    assertThat(second)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(Realtime.Lost.class);
    assertThat(realtime.batchReady()).isFalse();
  }

  @Test
  void pushBatch_refusedWhole_failsWithTheServersCode() {
    connected();
    Attempt a = connector.last();
    a.onText.accept(
        "{\"type\":\"subscribed\",\"collection\":\"todos\",\"metadata\":{\"batch\":true}}");
    CompletableFuture<JsonNode> f = realtime.pushBatch(Json.array());
    String id =
        Json.parse(a.sent.get(a.sent.size() - 1)).get("metadata").get("requestId").stringValue();
    a.onText.accept(
        "{\"type\":\"batch_result\",\"metadata\":{\"requestId\":\""
            + id
            + "\"},\"code\":\"INVALID_MESSAGE\",\"error\":\"too many\"}");
    assertThat(f)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("INVALID_MESSAGE");
  }
}
