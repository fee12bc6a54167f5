package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event stream: queue, sync, operation and conflict events, in order, failures contained. */
class EventsTest {
  @TempDir Path tmp;
  private PatchbayServer server;
  private final TestClock clock = new TestClock(Instant.parse("2024-01-01T10:00:00Z"));
  private final List<CollectionsClient> devices = new CopyOnWriteArrayList<>();

  private void startServer(int maxRecordBytes) {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).maxRecordBytes(maxRecordBytes).build(),
            DocStores.inMemory());
  }

  private CollectionsClient.Builder device(String name) {
    return CollectionsClient.builder()
        .baseUrl("http://127.0.0.1:" + server.address().getPort())
        .dataDirectory(tmp.resolve(name))
        .collections("todos")
        .autoSync(false)
        .clock(clock);
  }

  private CollectionsClient open(CollectionsClient.Builder b) {
    CollectionsClient c = b.build();
    devices.add(c);
    return c;
  }

  @AfterEach
  void stop() {
    devices.forEach(CollectionsClient::close);
    server.close();
  }

  private static List<SyncEventType> types(List<SyncEvent> events) {
    return events.stream().map(SyncEvent::type).toList();
  }

  private static SyncEvent awaitEvent(List<SyncEvent> events, SyncEventType type) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> events.stream().anyMatch(e -> e.type() == type));
    return events.stream().filter(e -> e.type() == type).findFirst().orElseThrow();
  }

  @Test
  void localChangesAndASync_emitQueuedStartedSyncedCompleted_inOrder() {
    startServer(1 << 20);
    CollectionsClient a = open(device("a"));
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    a.onEvent(events::add);
    RecordCollection todos = a.collection("todos");
    todos.save(doc("{'text':'a'}"), "1");
    todos.update("1", doc("{'done':true,'text':'b'}"));
    todos.delete("1");
    todos.delete("1"); // already deleted: nothing queued, no event
    a.syncNow().orTimeout(30, TimeUnit.SECONDS).join();
    awaitEvent(events, SyncEventType.SYNC_COMPLETED);
    assertThat(types(events))
        .containsExactly(
            SyncEventType.OPERATION_QUEUED,
            SyncEventType.OPERATION_QUEUED,
            SyncEventType.OPERATION_QUEUED,
            SyncEventType.SYNC_STARTED,
            SyncEventType.OPERATION_SYNCED,
            SyncEventType.OPERATION_SYNCED,
            SyncEventType.OPERATION_SYNCED,
            SyncEventType.SYNC_COMPLETED);
    SyncEvent patch = events.get(1);
    assertThat(patch.recordId()).isEqualTo("1");
    assertThat(patch.metadata().get("operationType").stringValue()).isEqualTo("PATCH");
    assertThat(patch.metadata().get("fieldsChanged").toString()).isEqualTo("[\"done\",\"text\"]");
    assertThat(events.get(6).metadata().get("version").intValue()).isEqualTo(3);
    assertThat(events.get(7).metadata().get("pushed").intValue()).isEqualTo(3);
  }

  @Test
  void offlineSync_emitsSyncFailedWithTheError() throws Exception {
    startServer(1 << 20);
    CollectionsClient a = open(device("a").baseUrl(LocalCollectionTest.closedPortUrl()));
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    a.onEvent(events::add);
    a.syncNow().exceptionally(e -> null).join();
    assertThat(awaitEvent(events, SyncEventType.SYNC_FAILED).error()).contains("unreachable");
  }

  @Test
  void conflict_emitsDetectedWithVersions_andResolvedWithBothSides() {
    startServer(1 << 20);
    CollectionsClient a = open(device("a"));
    CollectionsClient b = open(device("b").conflictStrategy(ConflictStrategy.SERVER_WINS));
    a.collection("todos").save(doc("{'v':'base'}"), "1");
    a.syncNow().join();
    b.syncNow().join();
    a.collection("todos").update("1", doc("{'v':'A'}"));
    a.syncNow().join();
    b.collection("todos").update("1", doc("{'v':'B'}"));
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    b.onEvent(events::add);
    b.syncNow().join();
    SyncEvent detected = awaitEvent(events, SyncEventType.CONFLICT_DETECTED);
    assertThat(detected.metadata().get("localVersion").intValue()).isEqualTo(1);
    assertThat(detected.metadata().get("remoteVersion").intValue()).isEqualTo(2);
    SyncEvent resolved = awaitEvent(events, SyncEventType.CONFLICT_RESOLVED);
    assertThat(resolved.metadata().get("strategy").stringValue()).isEqualTo("SERVER_WINS");
    assertThat(resolved.metadata().get("winner").stringValue()).isEqualTo("remote");
    assertThat(resolved.metadata().get("localData").get("v").stringValue()).isEqualTo("B");
    assertThat(resolved.metadata().get("remoteData").get("v").stringValue()).isEqualTo("A");
    assertThat(resolved.metadata().get("resolvedData").get("v").stringValue()).isEqualTo("A");
  }

  @Test
  void refusedOperation_emitsOperationFailed_andAFailingListenerHarmsNoOther() {
    startServer(1024);
    CollectionsClient a = open(device("a").maxRetries(1));
    a.onEvent(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    List<SyncEvent> events = new CopyOnWriteArrayList<>();
    a.onEvent(events::add);
    a.collection("todos").save(doc("{'big':'" + "x".repeat(2000) + "'}"), "big");
    a.syncNow().join();
    SyncEvent failed = awaitEvent(events, SyncEventType.OPERATION_FAILED);
    assertThat(failed.recordId()).isEqualTo("big");
    assertThat(failed.error()).contains("413");
    assertThat(failed.metadata().get("exhausted").booleanValue()).isTrue();
  }

  @Test
  void closedRegistration_receivesNothingMore() {
    startServer(1 << 20);
    CollectionsClient a = open(device("a"));
    List<SyncEvent> closed = new CopyOnWriteArrayList<>();
    List<SyncEvent> open = new CopyOnWriteArrayList<>();
    a.onEvent(closed::add).close();
    a.onEvent(open::add);
    a.collection("todos").save(doc("{}"));
    awaitEvent(open, SyncEventType.OPERATION_QUEUED);
    assertThat(closed).isEmpty();
  }
}
