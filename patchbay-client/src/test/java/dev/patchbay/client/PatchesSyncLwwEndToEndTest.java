package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.client.internal.JdkWebSocketTransport;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.Transport;
import dev.patchbay.client.spi.TransportListener;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Java clients against a real server whose {@code settings/*} documents are last-write-wins, over
 * real sockets: LWW and OT documents on one connection, offline LWW edits consolidated and sent,
 * and deletions made offline or met after offline edits.
 */
class PatchesSyncLwwEndToEndTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private PatchbayServer server;
  private URI uri;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .lwwPatterns(List.of("settings/*"))
                .build(),
            DocStores.inMemory());
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
    Patches patches = Patches.builder(ClientStores.inMemory()).lww("settings/*").build();
    PatchesSync sync = PatchesSync.builder(patches, uri).build();
    closeables.add(sync);
    return new Client(patches, sync);
  }

  private record Client(Patches patches, PatchesSync sync) {
    Client connected() throws Exception {
      sync.connect().get(10, TimeUnit.SECONDS);
      return this;
    }
  }

  private static void awaitConverged(PatchesDoc a, PatchesDoc b) {
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                !a.hasPending()
                    && !b.hasPending()
                    && a.committedRev() == b.committedRev()
                    && Json.equal(a.state(), b.state()));
  }

  @Test
  void twoClients_concurrentLwwEdits_convergeAndCountersAddUp() throws Exception {
    Client a = client().connected();
    Client b = client().connected();
    PatchesDoc docA = a.patches().openDoc("settings/1");
    PatchesDoc docB = b.patches().openDoc("settings/1");
    assertThat(docA.algorithm()).isEqualTo(Algorithm.LWW);

    for (int i = 0; i < 10; i++) {
      int n = i;
      docA.change(p -> p.replace("/fromA", n).increment("/count", 1).max("/high", n));
      docB.change(p -> p.replace("/fromB", n).increment("/count", 2).max("/high", 20 - n));
    }
    awaitConverged(docA, docB);

    assertThat(docA.state())
        .isEqualTo(Json.parse("{\"fromA\":9,\"count\":30,\"high\":20,\"fromB\":9}"));
    docA.change(p -> p.replace("/theme", "dark"));
    awaitConverged(docA, docB);
    docB.change(p -> p.replace("/theme", "light")); // the later write wins everywhere
    awaitConverged(docA, docB);
    assertThat(docA.state().get("theme").stringValue()).isEqualTo("light");

    Client fresh = client().connected();
    PatchesDoc serverView = fresh.patches().openDoc("settings/1");
    await().atMost(TIMEOUT).until(() -> serverView.committedRev() == docA.committedRev());
    assertThat(serverView.state()).isEqualTo(docA.state());
  }

  @Test
  void offlineLwwEdits_areConsolidatedIntoOneChange_andSentOnReconnect() throws Exception {
    Client a = client().connected();
    Client b = client().connected();
    PatchesDoc docA = a.patches().openDoc("settings/offline");
    docA.change(p -> p.add("/count", 0).add("/title", "start"));
    PatchesDoc docB = b.patches().openDoc("settings/offline");
    awaitConverged(docA, docB);

    a.sync().disconnect();
    await().atMost(TIMEOUT).until(() -> !a.sync().state().connected());
    for (int i = 0; i < 50; i++) {
      int n = i;
      docA.change(p -> p.increment("/count", 1).replace("/title", "a" + n));
    }
    docB.change(p -> p.increment("/count", 100));
    assertThat(docA.pendingChanges()).hasSize(1);
    assertThat(docA.pendingChanges().get(0).ops()).hasSize(2);

    a.sync().connect().get(10, TimeUnit.SECONDS);
    awaitConverged(docA, docB);

    assertThat(docA.state()).isEqualTo(Json.parse("{\"count\":150,\"title\":\"a49\"}"));
  }

  @Test
  void otAndLwwDocuments_syncOnOneConnection() throws Exception {
    Client a = client().connected();
    Client b = client().connected();
    PatchesDoc notesA = a.patches().openDoc("notes/1");
    PatchesDoc settingsA = a.patches().openDoc("settings/2");
    PatchesDoc notesB = b.patches().openDoc("notes/1");
    PatchesDoc settingsB = b.patches().openDoc("settings/2");

    notesA.change(p -> p.add("/text", "").insertText("/body", 0, "hello"));
    settingsA.change(p -> p.add("/lang", "en"));
    awaitConverged(notesA, notesB);
    notesB.change(p -> p.insertText("/body", 5, " world"));
    settingsB.change(p -> p.replace("/lang", "fr"));
    awaitConverged(notesA, notesB);
    awaitConverged(settingsA, settingsB);

    assertThat(notesA.algorithm()).isEqualTo(Algorithm.OT);
    assertThat(notesA.state().get("body").get("ops").get(0).get("insert").stringValue())
        .isEqualTo("hello world\n");
    assertThat(settingsA.state()).isEqualTo(Json.parse("{\"lang\":\"fr\"}"));
  }

  @Test
  void remoteDelete_whileOtherClientIsOffline_reachesItWithItsPendingChanges() throws Exception {
    Client a = client().connected();
    Client b = client().connected();
    PatchesDoc docA = a.patches().openDoc("doomed");
    docA.change(p -> p.add("/v", 1));
    PatchesDoc docB = b.patches().openDoc("doomed");
    awaitConverged(docA, docB);
    CompletableFuture<List<Change>> deletedAtB = new CompletableFuture<>();
    b.sync().onRemoteDocDeleted((id, pending) -> deletedAtB.complete(pending));

    b.sync().disconnect();
    await().atMost(TIMEOUT).until(() -> !b.sync().state().connected());
    Change unsent = docB.change(p -> p.replace("/v", 2));
    a.sync().deleteDoc("doomed").get(10, TimeUnit.SECONDS);
    b.sync().connect().get(10, TimeUnit.SECONDS);

    assertThat(deletedAtB.get(10, TimeUnit.SECONDS)).containsExactly(unsent);
    assertThat(b.patches().trackedDocs()).doesNotContain("doomed");
    assertThat(b.patches().store().loadDoc("doomed")).isNull();
  }

  @Test
  void deleteDoc_whileOffline_isSentOnReconnect_andReachesTheOtherClient() throws Exception {
    Client a = client().connected();
    Client b = client().connected();
    PatchesDoc docA = a.patches().openDoc("settings/old");
    docA.change(p -> p.add("/v", 1));
    PatchesDoc docB = b.patches().openDoc("settings/old");
    awaitConverged(docA, docB);
    CompletableFuture<String> deletedAtB = new CompletableFuture<>();
    b.sync().onRemoteDocDeleted((id, pending) -> deletedAtB.complete(id));

    a.sync().disconnect();
    await().atMost(TIMEOUT).until(() -> !a.sync().state().connected());
    CompletableFuture<Void> deleted = a.sync().deleteDoc("settings/old");
    assertThat(a.patches().pendingDeletes()).containsExactly("settings/old");
    assertThat(deleted).isNotDone();
    a.sync().connect().get(10, TimeUnit.SECONDS);

    deleted.get(10, TimeUnit.SECONDS);
    assertThat(deletedAtB.get(10, TimeUnit.SECONDS)).isEqualTo("settings/old");
    assertThat(a.patches().pendingDeletes()).isEmpty();
  }

  @Test
  void sendingChange_answerLostThenRestart_isResentWithItsIdAndCountedOnce() throws Exception {
    ClientStore store = ClientStores.inMemory(); // outlives the first "process"
    AtomicBoolean dropAnswers = new AtomicBoolean();
    Transport real = new JdkWebSocketTransport(Duration.ofSeconds(10), 1024);
    Transport lossy =
        (request, listener) ->
            real.connect(
                request,
                new TransportListener() {
                  @Override
                  public void onText(String text) {
                    if (!dropAnswers.get()) {
                      listener.onText(text);
                    }
                  }

                  @Override
                  public void onClosed(int code, String reason) {
                    listener.onClosed(code, reason);
                  }

                  @Override
                  public void onError(Throwable error) {
                    listener.onError(error);
                  }
                });
    Patches first = Patches.builder(store).lww("settings/*").build();
    PatchesSync firstSync = PatchesSync.builder(first, uri).transport(lossy).build();
    closeables.add(firstSync);
    firstSync.connect().get(10, TimeUnit.SECONDS);
    Client watcher = client().connected();
    PatchesDoc watched = watcher.patches().openDoc("settings/once");
    PatchesDoc doc = first.openDoc("settings/once");
    await()
        .atMost(TIMEOUT)
        .until(() -> firstSync.docStates().get("settings/once").status() == DocSyncStatus.SYNCED);

    dropAnswers.set(true);
    doc.change(p -> p.increment("/n", 5));
    await().atMost(TIMEOUT).until(() -> watched.state().path("n").asInt() == 5);
    String sentId = store.loadDoc("settings/once").sending().id();
    firstSync.close(); // the process dies with the answer lost

    Patches restarted = Patches.builder(store).lww("settings/*").build();
    PatchesSync sync = PatchesSync.builder(restarted, uri).build();
    closeables.add(sync);
    PatchesDoc again = restarted.openDoc("settings/once");
    assertThat(again.pendingChanges()).extracting(Change::id).containsExactly(sentId);
    sync.connect().get(10, TimeUnit.SECONDS);

    awaitConverged(again, watched);
    assertThat(again.state()).isEqualTo(Json.parse("{\"n\":5}"));
  }
}
