package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import dev.patchbay.store.sqlite.SqliteStores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The realtime WebSocket as the sync path: changes heard are applied without a pull (a hole in the
 * feed falls back to one), own echoes make no conflict, the outbox goes in batches over the socket
 * with per-operation answers, a socket lost mid-push is retried over HTTP without duplicates, and
 * conflicts found on either path are settled by each strategy. A tap between the client and its
 * socket drops or rewrites frames and can cut the connection.
 */
class SocketSyncTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path tmp;
  private PatchbayServer server;
  private String url;
  private final TestClock clock = new TestClock(Instant.parse("2024-01-01T10:00:00Z"));
  private TestDevices devices;

  @BeforeEach
  void devices() {
    devices = new TestDevices(tmp, clock);
  }

  private final ExecutorService tapThreads = Executors.newFixedThreadPool(2);

  /** The real socket, with frames dropped or rewritten on the way in and a cut after a batch. */
  final class Tap implements Realtime.Connector {
    private final Realtime.Connector real =
        Realtime.jdk(HttpClient.newHttpClient(), Duration.ofSeconds(10), tapThreads);
    volatile Predicate<String> drop = t -> false;
    volatile UnaryOperator<String> rewrite = t -> t;
    volatile boolean cutAfterFirstBatch;
    final AtomicInteger batches = new AtomicInteger();

    @Override
    public java.util.concurrent.CompletableFuture<Realtime.Socket> connect(
        URI uri, Consumer<String> onText, Consumer<String> onClosed) {
      // Set before the batch goes out, so its answer is dropped even when the server is
      // quicker than the close: the test is about an answer that never arrives.
      AtomicBoolean cut = new AtomicBoolean();
      return real.connect(
              uri,
              text -> {
                if (!cut.get() && !drop.test(text)) {
                  onText.accept(rewrite.apply(text));
                }
              },
              onClosed)
          .thenApply(
              s ->
                  new Realtime.Socket() {
                    @Override
                    public void send(String text) {
                      boolean cutNow =
                          text.contains("\"type\":\"batch\"")
                              && batches.incrementAndGet() == 1
                              && cutAfterFirstBatch;
                      if (cutNow) {
                        cut.set(true);
                      }
                      s.send(text);
                      if (cutNow) {
                        s.close(); // the batch went out; its answer never comes back
                      }
                    }

                    @Override
                    public void close() {
                      s.close();
                    }
                  });
    }
  }

  private void startServer(List<String> rules) {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).collectionRules(rules).build(), DocStores.inMemory());
    url = "http://127.0.0.1:" + server.address().getPort();
  }

  @AfterEach
  void stop() {
    devices.close();
    if (server != null) {
      server.close();
    }
    tapThreads.shutdownNow();
  }

  private CollectionsClient.Builder device(String name) {
    return device(name, "todos");
  }

  private CollectionsClient.Builder device(String name, String collection) {
    return devices
        .device(url, name, collection)
        .reconnect(Duration.ofMillis(50), Duration.ofMillis(200), 0);
  }

  private DefaultCollectionsClient open(CollectionsClient.Builder builder) {
    return devices.open(builder);
  }

  /** A realtime device, connected and caught up (its first run, asked for by the subscribe). */
  private DefaultCollectionsClient live(CollectionsClient.Builder builder, Tap tap) {
    CollectionsClient.Builder b = builder.realtime(true);
    b.connector = tap;
    DefaultCollectionsClient c = open(b);
    await().atMost(WAIT).until(() -> c.metrics().syncSuccesses() >= 1);
    return c;
  }

  private static SyncResult sync(CollectionsClient c) {
    return TestDevices.sync(c);
  }

  private static List<SyncEventType> types(List<SyncEvent> events, String recordId) {
    List<SyncEventType> out = new ArrayList<>();
    for (SyncEvent e : events) {
      if (recordId.equals(e.recordId())) {
        out.add(e.type());
      }
    }
    return out;
  }

  /** The server's feed, read over plain HTTP. */
  private JsonNode feed() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/sync/todos?cursor=0&limit=1000")).build(),
                HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body()).get("records");
  }

  @Test
  void remoteChanges_appliedFromTheFrames_withoutAPull_withRealtimeEvents() {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    DefaultCollectionsClient b = live(device("b"), new Tap());
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    b.onEvent(events::add);
    List<Integer> watched = new CopyOnWriteArrayList<>();
    b.collection("todos").watch(records -> watched.add(records.size()));
    long gets = b.httpRequests("GET");
    long runs = b.metrics().syncAttempts();

    a.collection("todos").save(doc("{'n':1}"), "x");
    sync(a);
    await().atMost(WAIT).until(() -> b.collection("todos").get("x") != null);
    a.collection("todos").update("x", doc("{'n':2}"));
    sync(a);
    await().atMost(WAIT).until(() -> b.collection("todos").get("x").get("n").intValue() == 2);
    a.collection("todos").delete("x");
    sync(a);
    await().atMost(WAIT).until(() -> b.collection("todos").get("x") == null);

    assertThat(b.httpRequests("GET")).isEqualTo(gets);
    assertThat(b.metrics().syncAttempts()).isEqualTo(runs);
    await()
        .atMost(WAIT)
        .until(
            () ->
                types(events, "x")
                    .equals(
                        List.of(
                            SyncEventType.REALTIME_INSERT,
                            SyncEventType.REALTIME_UPDATE,
                            SyncEventType.REALTIME_DELETE)));
    await().atMost(WAIT).until(() -> watched.contains(1) && watched.get(watched.size() - 1) == 0);
    assertThat(b.collection("todos").status("x")).isEqualTo(SyncStatus.SYNCED);
  }

  @Test
  void localChange_whileConnected_pushedAtOnceOverTheSocket_withoutARun() {
    startServer(List.of());
    Tap tap = new Tap();
    DefaultCollectionsClient a = live(device("a"), tap);
    DefaultCollectionsClient b = open(device("b"));
    long runs = a.metrics().syncAttempts();
    long gets = a.httpRequests("GET");

    a.collection("todos").save(doc("{'n':1}"), "x");
    await().atMost(WAIT).until(() -> a.pendingCount() == 0);
    a.collection("todos").update("x", doc("{'n':2}"));
    await().atMost(WAIT).until(() -> a.pendingCount() == 0);

    assertThat(a.metrics().syncAttempts()).isEqualTo(runs);
    assertThat(a.httpRequests("GET")).isEqualTo(gets);
    assertThat(a.httpRequests("POST") + a.httpRequests("PATCH")).isZero();
    assertThat(tap.batches.get()).isEqualTo(2);
    sync(b);
    assertThat(b.collection("todos").get("x").get("n").intValue()).isEqualTo(2);
  }

  @Test
  void aFrameAfterAHole_fallsBackToACursorPull_nothingSkipped() {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    Tap tap = new Tap();
    tap.drop = t -> t.contains("\"recordId\":\"x1\"");
    DefaultCollectionsClient b = live(device("b"), tap);
    long gets = b.httpRequests("GET");

    a.collection("todos").save(doc("{'n':1}"), "x1");
    sync(a);
    a.collection("todos").save(doc("{'n':2}"), "x2");
    sync(a);

    await().atMost(WAIT).until(() -> b.collection("todos").get("x2") != null);
    await().atMost(WAIT).until(() -> b.collection("todos").get("x1") != null);
    assertThat(b.httpRequests("GET")).isGreaterThan(gets);
  }

  @Test
  void ownEchoes_ofHttpPushes_makeNoConflictAndNoEvent_andMoveTheCursor() {
    startServer(List.of());
    Tap tap = new Tap();
    // A server that does not announce batches: the device pushes over HTTP while connected, and
    // the server broadcasts those writes back to its socket.
    tap.rewrite = t -> t.replace("\"batch\":true", "\"batch\":false");
    DefaultCollectionsClient a = live(device("a"), tap);
    DefaultCollectionsClient c = open(device("c"));
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    a.onEvent(events::add);
    for (int i = 0; i < 20; i++) {
      a.collection("todos").save(doc("{'i':" + i + "}"), "r" + i);
    }
    assertThat(sync(a).pushed()).isEqualTo(20);
    a.collection("todos").update("r3", doc("{'more':true}"));
    assertThat(sync(a).pushed()).isEqualTo(1);
    assertThat(a.httpRequests("POST")).isPositive();
    long gets = a.httpRequests("GET");

    c.collection("todos").save(doc("{'from':'c'}"), "z");
    sync(c);
    await().atMost(WAIT).until(() -> a.collection("todos").get("z") != null);

    // The echoes came before z: each moved the cursor, so z was next and needed no pull.
    assertThat(a.httpRequests("GET")).isEqualTo(gets);
    assertThat(events).noneMatch(e -> e.type() == SyncEventType.CONFLICT_DETECTED);
    assertThat(events)
        .filteredOn(e -> e.type().name().startsWith("REALTIME_"))
        .extracting(SyncEvent::recordId)
        .containsExactly("z");
    assertThat(a.collection("todos").get("r3").get("more").booleanValue()).isTrue();
    assertThat(a.pendingCount()).isZero();
  }

  @Test
  void ownEcho_ofAnUnansweredPush_acknowledgesTheQueuedEntry() throws Exception {
    url = LocalCollectionTest.closedPortUrl();
    DefaultCollectionsClient a = open(device("a"));
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    a.onEvent(events::add);
    a.collection("todos").save(doc("{'n':1}"), "x");
    String changeId = a.queuedForTest().get(0).changeId();

    ObjectNode frame = Json.object();
    frame.put("type", "insert");
    frame.put("collection", "todos");
    frame.put("recordId", "x");
    frame.set("data", doc("{'n':1}"));
    frame.put("timestamp", "2024-01-01T10:00:00.000Z");
    ObjectNode meta = frame.putObject("metadata");
    meta.put("version", 1);
    meta.put("seq", 1);
    meta.put("changeId", changeId);
    a.realtimeChange("todos", frame);

    await().atMost(WAIT).until(() -> a.pendingCount() == 0);
    assertThat(a.collection("todos").status("x")).isEqualTo(SyncStatus.SYNCED);
    await().atMost(WAIT).until(() -> types(events, "x").contains(SyncEventType.OPERATION_SYNCED));
    assertThat(types(events, "x"))
        .doesNotContain(
            SyncEventType.CONFLICT_DETECTED,
            SyncEventType.REALTIME_INSERT,
            SyncEventType.REALTIME_UPDATE);
  }

  @Test
  void socketPush_inFewBatches_answeredPerOperation_noHttpWrite() {
    startServer(List.of());
    Tap tap = new Tap();
    DefaultCollectionsClient a = live(device("a"), tap);
    DefaultCollectionsClient b = open(device("b"));
    List<ObjectNode> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(doc("{'id':'r" + i + "','i':" + i + "}"));
    }
    a.collection("todos").saveAll(many);
    a.collection("todos").update("r1", doc("{'edited':true}"));
    a.collection("todos").delete("r2");

    sync(a); // whatever the pushes on change left

    assertThat(a.metrics().operationsSynced()).isEqualTo(302);
    assertThat(a.metrics().operationsFailed()).isZero();
    assertThat(a.pendingCount()).isZero();
    assertThat(tap.batches.get()).isBetween(2, 8); // 302 entries in few messages
    assertThat(a.httpRequests("POST") + a.httpRequests("PATCH") + a.httpRequests("DELETE"))
        .isZero();
    sync(b);
    assertThat(b.collection("todos").getAll()).hasSize(299);
    assertThat(b.collection("todos").get("r1").get("edited").booleanValue()).isTrue();
    // The acknowledgements moved the cursor: the next remote change needs no pull.
    long gets = a.httpRequests("GET");
    b.collection("todos").save(doc("{'from':'b'}"), "z");
    sync(b);
    await().atMost(WAIT).until(() -> a.collection("todos").get("z") != null);
    assertThat(a.httpRequests("GET")).isEqualTo(gets);
  }

  @Test
  void socketLostMidPush_unansweredBatchRetriedOverHttp_appliedOnce() throws Exception {
    startServer(List.of());
    Tap tap = new Tap();
    tap.cutAfterFirstBatch = true;
    DefaultCollectionsClient a = live(device("a"), tap);
    List<ObjectNode> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      many.add(doc("{'id':'r" + i + "'}"));
    }
    a.collection("todos").saveAll(many);

    sync(a); // after the push on change, or doing it

    assertThat(a.metrics().operationsSynced()).isEqualTo(100);
    assertThat(a.pendingCount()).isZero();
    assertThat(tap.batches.get()).isEqualTo(1);
    assertThat(a.httpRequests("POST")).isPositive();
    JsonNode feed = feed();
    assertThat(feed).hasSize(100);
    feed.forEach(rec -> assertThat(rec.get("version").longValue()).isEqualTo(1));
    // Reconnected, the next push goes over the socket again.
    await().atMost(WAIT).until(() -> a.realtimeState() == RealtimeState.CONNECTED);
    await().atMost(WAIT).until(() -> a.metrics().syncAttempts() == a.metrics().syncSuccesses());
    long posts = a.httpRequests("POST");
    a.collection("todos").saveAll(List.of(doc("{'id':'late'}"), doc("{'id':'late2'}")));
    await().atMost(WAIT).until(() -> a.pendingCount() == 0);
    assertThat(a.httpRequests("POST")).isEqualTo(posts);
    assertThat(tap.batches.get()).isEqualTo(2);
  }

  @Test
  void batchesBoundedBySize_anEntryLargerThanABatchGoesAloneOverHttp() throws Exception {
    startServer(List.of());
    Tap tap = new Tap();
    DefaultCollectionsClient a = live(device("a"), tap);
    List<ObjectNode> many = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      many.add(doc("{'id':'r" + i + "','text':'" + "x".repeat(3000) + "'}"));
    }
    many.add(doc("{'id':'big','text':'" + "y".repeat(70_000) + "'}"));
    a.collection("todos").saveAll(many);

    sync(a);

    assertThat(a.metrics().operationsSynced()).isEqualTo(31);
    assertThat(tap.batches.get()).isEqualTo(2); // 30 × 3 KB do not fit one 60 KiB message
    assertThat(a.httpRequests("POST")).isEqualTo(1); // the 70 KB record, as a plain request
    assertThat(feed()).hasSize(31);
  }

  private static ConflictResolver joined() {
    return (local, remote, lt, rt) -> {
      ObjectNode m = remote.deepCopy();
      m.put("text", local.get("text").stringValue() + "+" + remote.get("text").stringValue());
      return m;
    };
  }

  private CollectionsClient.Builder strategy(CollectionsClient.Builder b, String strategy) {
    return strategy.equals("CUSTOM")
        ? b.conflictResolver(joined())
        : b.conflictStrategy(ConflictStrategy.valueOf(strategy));
  }

  /**
   * The server rejects stale writes; B's edit goes over the socket against a version A has
   * replaced, comes back 409 in the batch answer and is settled by B's strategy (B's socket hears
   * no changes, so the push answer is the only way B learns of A's edit).
   */
  @ParameterizedTest
  @CsvSource({"LAST_WRITE_WINS,B", "SERVER_WINS,A", "CLIENT_WINS,B", "CUSTOM,B+A", "MANUAL,A"})
  void conflictInASocketAnswer_settledByEachStrategy(String strategy, String expected) {
    startServer(List.of("todos=reject"));
    DefaultCollectionsClient a = open(device("a"));
    Tap tap = new Tap();
    tap.drop = t -> t.contains("\"type\":\"update\"");
    a.collection("todos").save(doc("{'text':'base'}"), "1");
    sync(a);
    CollectionsClient.Builder bb = strategy(device("b"), strategy);
    bb.pushOnChange = false; // B's edit waits for the push below
    DefaultCollectionsClient b = live(bb, tap);
    clock.advance(Duration.ofSeconds(1));
    a.collection("todos").update("1", doc("{'text':'A'}"));
    sync(a);
    clock.advance(Duration.ofSeconds(1));
    b.collection("todos").update("1", doc("{'text':'B'}"));

    SyncResult r = b.pushOnlyForTest();

    assertThat(r.conflicts()).isEqualTo(1);
    assertThat(b.httpRequests("POST") + b.httpRequests("PATCH")).isZero();
    sync(a);
    assertThat(a.collection("todos").get("1").get("text").stringValue()).isEqualTo(expected);
    if (strategy.equals("MANUAL")) {
      assertThat(b.pendingConflicts()).hasSize(1);
      assertThat(b.collection("todos").status("1")).isEqualTo(SyncStatus.CONFLICT);
    } else {
      assertThat(b.pendingCount()).isZero();
      assertThat(b.collection("todos").get("1").get("text").stringValue()).isEqualTo(expected);
    }
  }

  /**
   * B has a queued edit when A's newer edit arrives as a frame: the frame path finds the conflict,
   * B's strategy settles it, and an outcome of B's own is pushed at once (over the socket).
   */
  @ParameterizedTest
  @CsvSource({"LAST_WRITE_WINS,A", "SERVER_WINS,A", "CLIENT_WINS,B", "CUSTOM,B+A", "MANUAL,A"})
  void conflictInAFrame_settledByEachStrategy(String strategy, String expected) {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    a.collection("todos").save(doc("{'text':'base'}"), "1");
    sync(a);
    CollectionsClient.Builder bb = strategy(device("b"), strategy);
    bb.pushOnChange = false; // B's edit stays queued until A's change arrives
    DefaultCollectionsClient b = live(bb, new Tap());
    long gets = b.httpRequests("GET");
    clock.advance(Duration.ofSeconds(1));
    b.collection("todos").update("1", doc("{'text':'B'}"));
    clock.advance(Duration.ofSeconds(1));
    a.collection("todos").update("1", doc("{'text':'A'}"));
    sync(a);

    await().atMost(WAIT).until(() -> b.metrics().conflictsDetected() == 1);
    if (strategy.equals("MANUAL")) {
      assertThat(b.pendingConflicts()).hasSize(1);
      assertThat(b.pendingConflicts().get(0).remote().get("text").stringValue()).isEqualTo("A");
      assertThat(b.httpRequests("GET")).isEqualTo(gets);
      return;
    }
    await().atMost(WAIT).until(() -> b.pendingCount() == 0);
    assertThat(b.collection("todos").get("1").get("text").stringValue()).isEqualTo(expected);
    assertThat(b.httpRequests("POST") + b.httpRequests("PATCH")).isZero();
    sync(a);
    assertThat(a.collection("todos").get("1").get("text").stringValue()).isEqualTo(expected);
  }

  /**
   * Pushing 1,000 queued inserts to an in-process server on the SQLite store: one HTTP request per
   * entry (the path before batches), HTTP batches, and batches over the WebSocket, measured in one
   * run after a warm-up of each. Prints the times; asserts only what was pushed.
   */
  @Test
  void thousandInserts_pushedEachOverHttp_inHttpBatches_overTheSocket_measured() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).build(),
            SqliteStores.builder(tmp.resolve("server")).open());
    url = "http://127.0.0.1:" + server.address().getPort();
    // Each device in its own collection: none hears the others' writes while it pushes.
    CollectionsClient.Builder eachBuilder = device("each", "each");
    eachBuilder.batchPush = false;
    DefaultCollectionsClient each = open(eachBuilder);
    DefaultCollectionsClient http = open(device("http", "http"));
    CollectionsClient.Builder socketBuilder = device("socket", "socket");
    socketBuilder.pushOnChange = false; // the timed run pushes, not the save
    DefaultCollectionsClient socket = live(socketBuilder, new Tap());
    long[] ms = new long[3];
    DefaultCollectionsClient[] order = {each, http, socket};
    for (int round = 0; round < 2; round++) {
      int n = round == 0 ? 100 : 1000;
      for (int d = 0; d < order.length; d++) {
        List<ObjectNode> many = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          many.add(doc("{'id':'" + d + "-" + round + "-" + i + "','i':" + i + "}"));
        }
        order[d].collection(List.of("each", "http", "socket").get(d)).saveAll(many);
        long t0 = System.nanoTime();
        assertThat(sync(order[d]).pushed()).isEqualTo(n);
        ms[d] = (System.nanoTime() - t0) / 1_000_000;
      }
    }
    assertThat(each.httpRequests("POST")).isEqualTo(1100);
    assertThat(http.httpRequests("POST")).isBetween(2L, 20L);
    assertThat(socket.httpRequests("POST")).isZero();
    System.out.printf(
        "1000 inserts pushed: one request each %d ms, HTTP batches %d ms, WebSocket batches %d"
            + " ms%n",
        ms[0], ms[1], ms[2]);
  }
}
