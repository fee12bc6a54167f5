package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.auth.AuthConfig;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Java clients against a real server over real sockets: concurrent edits of every merging kind
 * (text, counters, arrays) converge to the server's state, and edits made while disconnected are
 * sent on reconnect.
 */
class PatchesSyncEndToEndTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private PatchbayServer server;
  private URI uri;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), DocStores.inMemory());
    uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    server.close();
  }

  private Client client() {
    Patches patches = Patches.create(ClientStores.inMemory());
    PatchesSync sync = PatchesSync.builder(patches, uri).build();
    closeables.add(sync);
    return new Client(patches, sync);
  }

  private record Client(Patches patches, PatchesSync sync) {}

  private static void awaitSettled(PatchesDoc doc) {
    await().atMost(TIMEOUT).until(() -> !doc.hasPending() && doc.committedRev() > 0);
  }

  @Test
  void twoClients_concurrentTextCounterAndArrayEdits_convergeToServerState() throws Exception {
    Client a = client();
    Client b = client();
    a.sync().connect().get(10, TimeUnit.SECONDS);
    b.sync().connect().get(10, TimeUnit.SECONDS);
    PatchesDoc docA = a.patches().openDoc("shared");
    docA.change(
        p -> p.add("/items", List.of("a", "b", "c")).insertText("/body", 0, "hello").add("/n", 0));
    awaitSettled(docA);
    PatchesDoc docB = b.patches().openDoc("shared");
    await().atMost(TIMEOUT).until(() -> docB.committedRev() >= docA.committedRev());

    SplittableRandom random = new SplittableRandom(42);
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger texts = new AtomicInteger();
    AtomicInteger increments = new AtomicInteger();
    AtomicInteger items = new AtomicInteger();
    List<Thread> writers = new ArrayList<>();
    for (PatchesDoc doc : List.of(docA, docB)) {
      long seed = random.nextLong();
      Thread t =
          new Thread(
              () -> {
                SplittableRandom r = new SplittableRandom(seed);
                awaitQuietly(start);
                for (int i = 0; i < 40; i++) {
                  String tag = doc == docA ? "A" : "B";
                  switch (r.nextInt(4)) {
                    case 0 -> {
                      doc.change(p -> p.insertText("/body", r.nextInt(3), tag));
                      texts.incrementAndGet();
                    }
                    case 1 -> {
                      doc.change(p -> p.increment("/n", 1));
                      increments.incrementAndGet();
                    }
                    case 2 -> {
                      doc.change(p -> p.add("/items/0", tag));
                      items.incrementAndGet();
                    }
                    default -> {
                      doc.change(p -> p.add("/items/-", tag));
                      items.incrementAndGet();
                    }
                  }
                }
              },
              "test-writer-" + writers.size());
      writers.add(t);
      t.start();
    }
    start.countDown();
    for (Thread t : writers) {
      t.join(TIMEOUT.toMillis());
    }

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !docA.hasPending()
                    && !docB.hasPending()
                    && docA.committedRev() == docB.committedRev()
                    && Json.equal(docA.state(), docB.state()));
    JsonNode state = docA.state();
    assertThat(state.get("n").asInt()).isEqualTo(increments.get());
    assertThat(state.get("items").size()).isEqualTo(3 + items.get());
    // "hello" + one character per text edit + the final newline every text keeps.
    assertThat(state.get("body").get("ops").get(0).get("insert").stringValue())
        .hasSize(5 + texts.get() + 1);

    Client fresh = client();
    fresh.sync().connect().get(10, TimeUnit.SECONDS);
    PatchesDoc serverView = fresh.patches().openDoc("shared");
    await().atMost(TIMEOUT).until(() -> serverView.committedRev() == docA.committedRev());
    assertThat(serverView.state()).isEqualTo(docA.state());
    assertThat(a.sync().docStates().get("shared").status()).isEqualTo(DocSyncStatus.SYNCED);
  }

  @Test
  void close_returnsAfterItsQueuedDisconnectRan_soTheStoreCanBeClosedNext() throws Exception {
    for (int i = 0; i < 20; i++) { // the race this guards against lost about half the time
      Client a = client();
      a.sync().connect().get(10, TimeUnit.SECONDS);
      a.sync().close();
      assertThat(a.sync().connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
      a.patches().close();
    }
  }

  @Test
  void editsWhileDisconnected_areSentOnReconnect_andConverge() throws Exception {
    Client a = client();
    Client b = client();
    a.sync().connect().get(10, TimeUnit.SECONDS);
    b.sync().connect().get(10, TimeUnit.SECONDS);
    PatchesDoc docA = a.patches().openDoc("offline");
    docA.change(p -> p.insertText("/body", 0, "base").add("/n", 0));
    awaitSettled(docA);
    PatchesDoc docB = b.patches().openDoc("offline");
    await().atMost(TIMEOUT).until(() -> docB.committedRev() == docA.committedRev());

    a.sync().disconnect();
    await().atMost(TIMEOUT).until(() -> !a.sync().state().connected());
    for (int i = 0; i < 20; i++) {
      docA.change(p -> p.insertText("/body", 0, "o").increment("/n", 1));
      docB.change(p -> p.insertText("/body", 4, "b").increment("/n", 10));
    }
    assertThat(docA.hasPending()).isTrue();
    await().atMost(TIMEOUT).until(() -> !docB.hasPending());
    assertThat(docA.pendingChanges()).hasSize(20);

    a.sync().connect().get(10, TimeUnit.SECONDS);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !docA.hasPending()
                    && !docB.hasPending()
                    && docA.committedRev() == docB.committedRev()
                    && Json.equal(docA.state(), docB.state()));
    assertThat(docA.state().get("n").asInt()).isEqualTo(220);
    assertThat(docA.state().get("body").get("ops").get(0).get("insert").stringValue())
        .hasSize("base".length() + 40 + 1);
  }

  @Test
  void serverGoesAway_clientReconnectsWithBackoff_andSyncsAgain() throws Exception {
    Client a = client();
    a.sync().connect().get(10, TimeUnit.SECONDS);
    PatchesDoc doc = a.patches().openDoc("before");
    doc.change(p -> p.add("/v", 1));
    awaitSettled(doc);

    int port = uri.getPort();
    server.close();
    await().atMost(TIMEOUT).until(() -> !a.sync().state().connected());
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(port).store("memory").build(), DocStores.inMemory());

    await().atMost(TIMEOUT).until(() -> a.sync().state().connected());
    PatchesDoc after = a.patches().openDoc("after");
    after.change(p -> p.add("/v", 2));
    awaitSettled(after);
    assertThat(after.committedRev()).isEqualTo(1);
  }

  @Test
  void deleteDoc_byOneClient_reachesTheOtherThroughOnRemoteDocDeleted() throws Exception {
    Client a = client();
    Client b = client();
    a.sync().connect().get(10, TimeUnit.SECONDS);
    b.sync().connect().get(10, TimeUnit.SECONDS);
    PatchesDoc docA = a.patches().openDoc("doomed");
    docA.change(p -> p.add("/v", 1));
    awaitSettled(docA);
    PatchesDoc docB = b.patches().openDoc("doomed");
    await().atMost(TIMEOUT).until(() -> docB.committedRev() == 1);
    CompletableFuture<List<Change>> deletedAtB = new CompletableFuture<>();
    b.sync().onRemoteDocDeleted((id, pending) -> deletedAtB.complete(pending));

    a.sync().deleteDoc("doomed").get(10, TimeUnit.SECONDS);

    assertThat(deletedAtB.get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(a.patches().trackedDocs()).doesNotContain("doomed");
    assertThat(b.patches().trackedDocs()).doesNotContain("doomed");
  }

  @Test
  void uriSupplier_isAskedAgainOnEveryReconnect() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    Patches patches = Patches.create(ClientStores.inMemory());
    PatchesSync sync =
        PatchesSync.builder(patches, () -> URI.create(uri + "?token=t" + asked.incrementAndGet()))
            .reconnectPolicy(
                new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 0, 0))
            .build();
    closeables.add(sync);
    sync.connect().get(10, TimeUnit.SECONDS);
    int port = uri.getPort();
    server.close();
    await().atMost(TIMEOUT).until(() -> !sync.state().connected());
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(port).store("memory").build(), DocStores.inMemory());

    await().atMost(TIMEOUT).until(() -> sync.state().connected());
    assertThat(asked.get()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void heartbeat_jdkPingAgainstRealServer_isAnsweredAndConnectionStays() throws Exception {
    Patches patches = Patches.create(ClientStores.inMemory());
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    PatchesSync sync =
        PatchesSync.builder(patches, uri)
            .heartbeat(Duration.ofMillis(50), Duration.ofMillis(500))
            .build();
    closeables.add(sync);
    sync.onError((e, docId) -> errors.add(e));
    sync.connect().get(10, TimeUnit.SECONDS);
    List<SyncState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
    sync.onStateChange(states::add);

    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> sync.state().connected());
    assertThat(states).isEmpty();
    assertThat(errors).isEmpty();
  }

  @Test
  void token_refusedThenValid_isAskedAgainOnEveryConnection(@TempDir Path dir) throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "3f9c1e0d7a4b42c5b8e6d1f0a2c7e9b4 write=* sub=client\n");
    server.close();
    server =
        PatchbayServer.start(
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .auth(
                    new AuthConfig(
                        AuthConfig.Mode.TOKENS,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Duration.ZERO,
                        tokens))
                .build(),
            DocStores.inMemory());
    URI secured = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
    List<String> handedOut = List.of("wrong-token-wrong-token", "3f9c1e0d7a4b42c5b8e6d1f0a2c7e9b4");
    AtomicInteger asked = new AtomicInteger();
    Patches patches = Patches.create(ClientStores.inMemory());
    PatchesSync sync =
        PatchesSync.builder(patches, secured)
            .token(() -> handedOut.get(Math.min(asked.getAndIncrement(), 1)))
            .reconnectPolicy(
                new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(50), 0, 0))
            .build();
    closeables.add(sync);
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    sync.onError((e, docId) -> errors.add(e));

    sync.connect().get(10, TimeUnit.SECONDS);
    PatchesDoc doc = patches.openDoc("secret");
    doc.change(p -> p.add("/v", 1));
    awaitSettled(doc);

    assertThat(asked.get()).isEqualTo(2);
    assertThat(errors).hasSize(1);
  }

  @Test
  void serverBehindTheClient_commitAnswered409_reloadsAndResendsOfflineEdits_nothingLost()
      throws Exception {
    AtomicReference<URI> target = new AtomicReference<>(uri);
    Patches patches = Patches.create(ClientStores.inMemory());
    PatchesSync sync = PatchesSync.builder(patches, target::get).build();
    closeables.add(sync);
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    sync.onError((e, docId) -> errors.add(e));
    sync.connect().get(10, TimeUnit.SECONDS);
    PatchesDoc doc = patches.openDoc("restored");
    doc.change(p -> p.add("/lost", 1));
    doc.change(p -> p.add("/alsoLost", 2));
    awaitSettled(doc);
    assertThat(doc.committedRev()).isEqualTo(2);
    sync.disconnect();
    await().atMost(TIMEOUT).until(() -> !sync.state().connected());
    doc.change(p -> p.add("/offline", List.of("x")));
    doc.change(p -> p.add("/offline/-", "y").add("/n", 7));
    assertThat(doc.pendingChanges()).hasSize(2);

    // The server the client comes back to is behind it (a restore from an older backup): it holds
    // one change another client made, so the pending changes' base revision 2 is ahead of it.
    PatchbayServer restored =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), DocStores.inMemory());
    closeables.add(restored::close);
    target.set(URI.create("ws://127.0.0.1:" + restored.address().getPort() + "/ws"));
    Patches otherPatches = Patches.create(ClientStores.inMemory());
    PatchesSync other = PatchesSync.builder(otherPatches, target.get()).build();
    closeables.add(other);
    other.connect().get(10, TimeUnit.SECONDS);
    PatchesDoc otherDoc = otherPatches.openDoc("restored");
    otherDoc.change(p -> p.add("/fromOther", "o"));
    awaitSettled(otherDoc);

    sync.connect().get(10, TimeUnit.SECONDS);

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !doc.hasPending()
                    && doc.committedRev() == 3
                    && otherDoc.committedRev() == 3
                    && Json.equal(doc.state(), otherDoc.state()));
    assertThat(doc.state())
        .isEqualTo(Json.parse("{\"fromOther\":\"o\",\"offline\":[\"x\",\"y\"],\"n\":7}"));
    assertThat(errors).noneMatch(e -> e.getMessage() != null && e.getMessage().contains("ahead"));
    assertThat(patches.quarantinedChanges()).isEmpty();
    assertThat(sync.docStates().get("restored").status()).isEqualTo(DocSyncStatus.SYNCED);
    Patches freshPatches = Patches.create(ClientStores.inMemory());
    PatchesSync fresh = PatchesSync.builder(freshPatches, target.get()).build();
    closeables.add(fresh);
    fresh.connect().get(10, TimeUnit.SECONDS);
    PatchesDoc serverView = freshPatches.openDoc("restored");
    await().atMost(TIMEOUT).until(() -> serverView.committedRev() == 3);
    assertThat(serverView.state()).isEqualTo(doc.state());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
