package dev.patchbay.store.sqlite.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.client.ClientStores;
import dev.patchbay.client.Patches;
import dev.patchbay.client.PatchesDoc;
import dev.patchbay.client.PatchesSync;
import dev.patchbay.client.spi.ClientStore;
import dev.patchbay.client.spi.StoredDoc;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline promise end to end: a client on the SQLite store edits while no server is reachable,
 * the process "restarts" (every client object closed, a new one over the reopened file), and on its
 * first connection the pending edits are sent and it converges with another client. The same for a
 * last-write-wins document (100 edits kept as one consolidated change) and a deletion made offline
 * (its tombstone survives the restart and is sent).
 */
class OfflineRestartEndToEndTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int EDITS = 100;

  @TempDir Path dir;
  private PatchbayServer server;
  private URI uri;

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
  void stop() {
    server.close();
  }

  /** Returns an address nothing listens on: a port the OS handed out and that was closed again. */
  private static URI unreachable() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/ws");
    }
  }

  @Test
  void editsWhileUnreachable_thenRestartAndConnect_areSentAndConverge() throws Exception {
    // Before the restart: the server is unreachable, every edit lands in the store only.
    Patches offline = Patches.create(SqliteClientStores.open(dir));
    try (PatchesSync sync = PatchesSync.builder(offline, unreachable()).build()) {
      sync.connect();
      PatchesDoc doc = offline.openDoc("notes/offline");
      doc.change(p -> p.add("/items", List.of()).add("/n", 0).add("/body", ""));
      for (int i = 0; i < EDITS; i++) {
        int item = i;
        doc.change(p -> p.add("/items/-", item).increment("/n", 1).insertText("/body", 0, "x"));
      }
      assertThat(doc.committedRev()).isZero();
      assertThat(sync.state().connected()).isFalse();
    }
    offline.close();

    // After the restart: a new client over the reopened file still has every edit pending.
    ClientStore reopened = SqliteClientStores.open(dir);
    StoredDoc stored = reopened.loadDoc("notes/offline");
    assertThat(stored.pending()).hasSize(EDITS + 1);
    assertThat(reopened.trackedDocs()).containsExactly("notes/offline");
    Patches restarted = Patches.create(reopened);
    Patches other = Patches.create(ClientStores.inMemory());
    try (PatchesSync sync = PatchesSync.builder(restarted, uri).build();
        PatchesSync otherSync = PatchesSync.builder(other, uri).build()) {
      // Tracked documents are synced on connection without opening them first.
      sync.connect().get(10, TimeUnit.SECONDS);
      await()
          .atMost(TIMEOUT)
          .until(
              () -> {
                StoredDoc now = reopened.loadDoc("notes/offline");
                return now.pending().isEmpty() && now.committedRev() > 0;
              });
      PatchesDoc mine = restarted.openDoc("notes/offline");

      otherSync.connect().get(10, TimeUnit.SECONDS);
      PatchesDoc theirs = other.openDoc("notes/offline");
      await().atMost(TIMEOUT).until(() -> theirs.committedRev() == mine.committedRev());
      assertThat(theirs.state()).isEqualTo(mine.state());
      assertThat(mine.state().get("n").asInt()).isEqualTo(EDITS);
      assertThat(mine.state().get("items")).hasSize(EDITS);
      String text = mine.state().get("body").get("ops").get(0).get("insert").stringValue();
      assertThat(text.chars().filter(c -> c == 'x').count()).isEqualTo(EDITS);

      // And back: an edit of the other client reaches the restarted one and its store.
      theirs.change(p -> p.increment("/n", 1).insertText("/body", 0, "B"));
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  !theirs.hasPending()
                      && mine.committedRev() == theirs.committedRev()
                      && !mine.hasPending());
      assertThat(mine.state()).isEqualTo(theirs.state());
      assertThat(mine.state().get("n").asInt()).isEqualTo(EDITS + 1);
      assertThat(reopened.loadDoc("notes/offline").state()).isEqualTo(mine.state());
    } finally {
      restarted.close();
      other.close();
    }
  }

  @Test
  void lwwEditsAndDeleteWhileUnreachable_thenRestart_areSentAndConverge() throws Exception {
    Patches before = Patches.create(ClientStores.inMemory());
    try (PatchesSync sync = PatchesSync.builder(before, uri).build()) {
      sync.connect().get(10, TimeUnit.SECONDS);
      PatchesDoc doomed = before.openDoc("notes/doomed");
      doomed.change(p -> p.add("/v", 1));
      await().atMost(TIMEOUT).until(() -> !doomed.hasPending() && doomed.committedRev() > 0);
    }
    before.close();

    Patches offline = Patches.builder(SqliteClientStores.open(dir)).lww("settings/*").build();
    try (PatchesSync sync = PatchesSync.builder(offline, unreachable()).build()) {
      sync.connect();
      PatchesDoc doc = offline.openDoc("settings/offline");
      for (int i = 0; i < EDITS; i++) {
        int n = i;
        doc.change(p -> p.increment("/n", 1).replace("/last", n));
      }
      sync.deleteDoc("notes/doomed");
      assertThat(doc.pendingChanges()).hasSize(1);
    }
    offline.close();

    ClientStore reopened = SqliteClientStores.open(dir);
    assertThat(reopened.tombstones()).containsExactly("notes/doomed");
    Patches restarted = Patches.builder(reopened).lww("settings/*").build();
    Patches other = Patches.builder(ClientStores.inMemory()).lww("settings/*").build();
    try (PatchesSync sync = PatchesSync.builder(restarted, uri).build();
        PatchesSync otherSync = PatchesSync.builder(other, uri).build()) {
      sync.connect().get(10, TimeUnit.SECONDS);
      PatchesDoc mine = restarted.openDoc("settings/offline");
      await().atMost(TIMEOUT).until(() -> !mine.hasPending() && mine.committedRev() > 0);
      await().atMost(TIMEOUT).until(() -> reopened.tombstones().isEmpty());

      otherSync.connect().get(10, TimeUnit.SECONDS);
      PatchesDoc theirs = other.openDoc("settings/offline");
      await().atMost(TIMEOUT).until(() -> theirs.committedRev() == mine.committedRev());
      assertThat(theirs.state()).isEqualTo(mine.state());
      assertThat(mine.state().get("n").asInt()).isEqualTo(EDITS);
      assertThat(mine.state().get("last").asInt()).isEqualTo(EDITS - 1);
      CompletableFuture<String> gone = new CompletableFuture<>();
      otherSync.onRemoteDocDeleted((id, pending) -> gone.complete(id));
      other.openDoc("notes/doomed");
      assertThat(gone.get(10, TimeUnit.SECONDS)).isEqualTo("notes/doomed"); // 410 on its load
    } finally {
      restarted.close();
      other.close();
    }
  }
}
