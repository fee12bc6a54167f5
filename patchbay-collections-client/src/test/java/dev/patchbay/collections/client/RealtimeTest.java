package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The realtime link: changes announced on /sync/ws are pulled at once; reconnect and give up. */
class RealtimeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir Path tmp;
  private PatchbayServer server;
  private final List<CollectionsClient> devices = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    server = PatchbayServer.start(ServerConfig.builder().port(0).build(), DocStores.inMemory());
  }

  @AfterEach
  void stop() {
    devices.forEach(CollectionsClient::close);
    server.close();
  }

  private CollectionsClient.Builder device(String name) {
    return CollectionsClient.builder()
        .baseUrl("http://127.0.0.1:" + server.address().getPort())
        .dataDirectory(tmp.resolve(name))
        .collections("todos", "notes")
        .autoSync(false);
  }

  private CollectionsClient open(CollectionsClient.Builder b) {
    CollectionsClient c = b.build();
    devices.add(c);
    return c;
  }

  @Test
  void realtimeOff_staysDisconnected() {
    assertThat(open(device("a")).realtimeState()).isEqualTo(RealtimeState.DISCONNECTED);
  }

  @Test
  void connect_catchesUpWithoutPolling_thenRemoteChangesArriveAtOnce() {
    CollectionsClient a = open(device("a"));
    a.collection("todos").save(doc("{'before':true}"), "early");
    a.syncNow().join();

    CollectionsClient b = open(device("b").realtime(true));
    await().atMost(WAIT).until(() -> b.realtimeState() == RealtimeState.CONNECTED);
    // autoSync is off: only the connect's catch-up can have brought this.
    await().atMost(WAIT).until(() -> b.collection("todos").get("early") != null);

    a.collection("todos").save(doc("{'text':'live'}"), "live");
    a.syncNow().join();
    await().atMost(WAIT).until(() -> b.collection("todos").get("live") != null);
    a.collection("todos").delete("live");
    a.syncNow().join();
    await().atMost(WAIT).until(() -> b.collection("todos").get("live") == null);
    // Both collections are subscribed (the second subscribe waits for the first send).
    a.collection("notes").save(doc("{'text':'note'}"), "n");
    a.syncNow().join();
    await().atMost(WAIT).until(() -> b.collection("notes").get("n") != null);
  }

  @Test
  void serverGone_reconnectsWithBackoff_thenGivesUp_pollingStillPossible() {
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    CollectionsClient b =
        open(
            device("b")
                .realtime(true)
                .reconnect(Duration.ofMillis(20), Duration.ofMillis(40), 2)
                .requestTimeout(Duration.ofSeconds(2)));
    b.onEvent(events::add);
    await().atMost(WAIT).until(() -> b.realtimeState() == RealtimeState.CONNECTED);
    server.close();
    await().atMost(WAIT).until(() -> b.realtimeState() == RealtimeState.ERROR);
    await()
        .atMost(WAIT)
        .until(
            () -> events.stream().anyMatch(e -> e.type() == SyncEventType.REALTIME_DISCONNECTED));
    b.collection("todos").save(doc("{'offline':true}"));
    assertThat(b.pendingCount()).isEqualTo(1);
  }

  @Test
  @Timeout(120) // a hang guard: without the fix close() waits 2 x requestTimeout = 20 minutes
  void close_whileAReconnectIsDue_doesNotWaitForIt() {
    CollectionsClient b =
        open(
            device("b")
                .realtime(true)
                .reconnect(Duration.ofMinutes(10), Duration.ofMinutes(10), 0)
                .syncInterval(Duration.ofMinutes(10))
                .requestTimeout(Duration.ofMinutes(10))
                .autoSync(true));
    await().atMost(WAIT).until(() -> b.realtimeState() == RealtimeState.CONNECTED);
    server.close();
    await().atMost(WAIT).until(() -> b.realtimeState() == RealtimeState.RECONNECTING);
    b.close();
    assertThat(b.realtimeState()).isEqualTo(RealtimeState.DISCONNECTED);
  }
}
