package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.store.sqlite.SqliteStores;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Conflicts that are not conflicts, or not the ones they look like, against an in-process server on
 * the SQLite store: the device's own write whose push answer was lost, coming back in a pull; a
 * delete meeting an older remote tombstone; a patch of a record deleted on the server.
 */
class ConflictEdgeCasesTest {
  @TempDir Path tmp;
  private PatchbayServer server;
  private String url;
  private final TestClock clock = new TestClock(Instant.parse("2024-01-01T10:00:00Z"));
  private TestDevices devices;

  @BeforeEach
  void devices() {
    devices = new TestDevices(tmp, clock);
  }

  private final ExecutorService http = Executors.newSingleThreadExecutor();

  private void startServer(List<String> rules) {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).collectionRules(rules).build(),
            SqliteStores.builder(tmp.resolve("server")).open());
    url = "http://127.0.0.1:" + server.address().getPort();
  }

  @AfterEach
  void stop() {
    devices.close();
    if (server != null) {
      server.close();
    }
    http.shutdownNow();
  }

  private CollectionsClient.Builder device(String name) {
    return devices.device(url, name, "todos");
  }

  private DefaultCollectionsClient open(CollectionsClient.Builder builder) {
    return devices.open(builder);
  }

  private static SyncResult sync(CollectionsClient c) {
    return TestDevices.sync(c);
  }

  private HttpBackend backend() {
    return new HttpBackend(URI.create(url), () -> null, Duration.ofSeconds(10), http);
  }

  /** The server's record, tombstones included. */
  private JsonNode serverRecord(String id) throws IOException {
    return backend().get("todos", id).body();
  }

  /**
   * Sends the device's first queued entry to the server behind its back, as its own push would: the
   * server applies it, the device never hears the answer (a cut connection, a time-out, a crash).
   */
  private void pushFirstEntryAndLoseTheAnswer(DefaultCollectionsClient d) throws IOException {
    LocalStore.Op first = d.queuedForTest().get(0);
    assertThat(backend().push(first, 0).body().path("result").asString()).isEqualTo("applied");
  }

  // ---- 1. a lost push answer

  @ParameterizedTest
  @EnumSource(
      value = ConflictStrategy.class,
      names = {"LAST_WRITE_WINS", "SERVER_WINS", "CLIENT_WINS", "MANUAL"})
  void lostPushAnswer_ownInsertPulledBack_isAcknowledged_queuedPatchApplied(
      ConflictStrategy strategy) throws IOException {
    startServer(List.of());
    // The clock stands still: the insert and the patch share a millisecond, a tie for LWW.
    DefaultCollectionsClient d = open(device("d").conflictStrategy(strategy));
    d.collection("todos").save(doc("{'a':1}"), "r");
    d.collection("todos").update("r", doc("{'b':2}"));
    pushFirstEntryAndLoseTheAnswer(d);

    SyncResult result = sync(d);
    assertThat(result.conflicts()).as("conflicts with its own write").isZero();
    assertThat(result.pushed()).isEqualTo(2); // the insert acknowledged by the pull, the patch
    assertThat(result.pending()).isZero();
    assertThat(d.pendingConflicts()).isEmpty();
    assertThat(d.collection("todos").status("r")).isEqualTo(SyncStatus.SYNCED);
    JsonNode stored = serverRecord("r");
    assertThat(stored.get("data")).isEqualTo(doc("{'a':1,'b':2}"));
    assertThat(stored.get("version").longValue()).isEqualTo(2);

    CollectionsClient other = open(device("other"));
    sync(other);
    assertThat(other.collection("todos").get("r")).isEqualTo(doc("{'a':1,'b':2}"));
    assertThat(sync(d).conflicts()).isZero();
    assertThat(d.collection("todos").get("r")).isEqualTo(doc("{'a':1,'b':2}"));
  }

  @Test
  void lostPushAnswer_lastEntryOfTheRecord_takesTheServersVersion_noPushAgain() throws IOException {
    startServer(List.of("todos=reject"));
    DefaultCollectionsClient d = open(device("d").conflictStrategy(ConflictStrategy.MANUAL));
    d.collection("todos").save(doc("{'a':1}"), "r");
    pushFirstEntryAndLoseTheAnswer(d);

    SyncResult result = sync(d);
    assertThat(result.conflicts()).isZero();
    assertThat(result.pending()).isZero();
    assertThat(d.httpRequests("POST")).isZero(); // acknowledged by the pull, not pushed again
    d.collection("todos").update("r", doc("{'b':2}"));
    // Under reject a stale base version would be a 409: the patch goes on the acknowledged one.
    assertThat(sync(d).conflicts()).isZero();
    assertThat(serverRecord("r").get("data")).isEqualTo(doc("{'a':1,'b':2}"));
  }

  @Test
  void lostPushAnswer_thenAnotherDeviceWrote_isARealConflict_settledByTheStrategy()
      throws IOException {
    startServer(List.of());
    DefaultCollectionsClient d = open(device("d"));
    CollectionsClient other = open(device("other"));
    d.collection("todos").save(doc("{'a':1}"), "r");
    d.collection("todos").update("r", doc("{'b':2}"));
    pushFirstEntryAndLoseTheAnswer(d);
    sync(other);
    clock.advance(Duration.ofSeconds(1));
    other.collection("todos").save(doc("{'by':'other'}"), "r");
    sync(other);

    // The pulled version is the other device's (a later time): last-write-wins keeps it.
    assertThat(sync(d).conflicts()).isEqualTo(1);
    assertThat(d.collection("todos").get("r")).isEqualTo(doc("{'by':'other'}"));
    assertThat(d.pendingCount()).isZero();
    assertThat(serverRecord("r").get("version").longValue()).isEqualTo(2);
  }

  // ---- 2. delete, save, delete

  /**
   * Delete at 10 s, save at 11 s, delete at 12 s on three devices, synced in that order. The last
   * deleter pulls the first tombstone: both sides delete, and only the later time keeps the save in
   * between from reviving the record.
   */
  @ParameterizedTest
  @EnumSource(
      value = ConflictStrategy.class,
      names = {"LAST_WRITE_WINS", "CLIENT_WINS", "MANUAL", "CUSTOM"})
  void deleteSaveDelete_laterDeleteMeetsOlderTombstone_movesItForward_recordStaysDeleted(
      ConflictStrategy strategy) throws IOException {
    startServer(List.of());
    List<DefaultCollectionsClient> ds = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      CollectionsClient.Builder b = device("d" + k);
      ds.add(
          open(
              k == 2 && strategy == ConflictStrategy.CUSTOM
                  ? b.conflictResolver(ConflictResolvers.deepMerge())
                  : k == 2 ? b.conflictStrategy(strategy) : b));
    }
    ds.get(0).collection("todos").save(doc("{'v':'base'}"), "r");
    ds.forEach(ConflictEdgeCasesTest::sync);
    Instant t0 = clock.instant();
    clock.set(t0.plusSeconds(10));
    ds.get(0).collection("todos").delete("r");
    clock.set(t0.plusSeconds(11));
    ds.get(1).collection("todos").save(doc("{'by':1}"), "r");
    clock.set(t0.plusSeconds(12));
    ds.get(2).collection("todos").delete("r");
    clock.set(t0.plusSeconds(20));

    sync(ds.get(0));
    SyncResult last = sync(ds.get(2));
    assertThat(last.pushed()).isEqualTo(1);
    assertThat(ds.get(2).pendingConflicts()).isEmpty();
    JsonNode tombstone = serverRecord("r");
    assertThat(tombstone.get("deleted").booleanValue()).isTrue();
    assertThat(Instant.parse(tombstone.get("updatedAt").stringValue()))
        .isEqualTo(t0.plusSeconds(12));
    sync(ds.get(1));
    for (DefaultCollectionsClient d : ds) {
      sync(d);
      assertThat(d.collection("todos").get("r")).isNull();
      assertThat(d.pendingCount()).isZero();
    }
    assertThat(serverRecord("r").get("deleted").booleanValue()).isTrue();
  }

  @Test
  void deleteMeetsOlderTombstone_serverWins_keepsTheRemoteTombstone_pushesNothing()
      throws IOException {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    DefaultCollectionsClient b = open(device("b").conflictStrategy(ConflictStrategy.SERVER_WINS));
    a.collection("todos").save(doc("{'v':'base'}"), "r");
    sync(a);
    sync(b);
    clock.advance(Duration.ofSeconds(1));
    a.collection("todos").delete("r");
    sync(a);
    clock.advance(Duration.ofSeconds(1));
    b.collection("todos").delete("r");

    SyncResult result = sync(b);
    assertThat(result.conflicts()).isEqualTo(1);
    assertThat(result.pushed()).isZero();
    assertThat(b.pendingCount()).isZero();
    assertThat(b.httpRequests("DELETE")).isZero();
    assertThat(serverRecord("r").get("version").longValue()).isEqualTo(2);
  }

  @Test
  void deleteMeetsNewerTombstone_lastWriteWins_keepsTheRemoteTombstone_pushesNothing()
      throws IOException {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    DefaultCollectionsClient b = open(device("b"));
    a.collection("todos").save(doc("{'v':'base'}"), "r");
    sync(a);
    sync(b);
    clock.advance(Duration.ofSeconds(1));
    b.collection("todos").delete("r");
    clock.advance(Duration.ofSeconds(1));
    a.collection("todos").delete("r");
    sync(a);

    assertThat(sync(b).pushed()).isZero();
    assertThat(b.httpRequests("DELETE")).isZero();
    JsonNode tombstone = serverRecord("r");
    assertThat(tombstone.get("version").longValue()).isEqualTo(2);
    assertThat(Instant.parse(tombstone.get("updatedAt").stringValue())).isEqualTo(clock.instant());
    assertThat(b.collection("todos").get("r")).isNull();
    assertThat(b.collection("todos").getAll()).isEmpty();
  }

  // ---- 3. a patch of a record deleted on the server

  /**
   * B pulled the record, A deleted it, then B patched it and pushes without pulling in between (a
   * race between its pull and its push): the server answers the patch 404. That is a conflict with
   * the server's tombstone, settled by B's strategy, not a refusal counted towards maxRetries.
   */
  @ParameterizedTest
  @CsvSource({"LAST_WRITE_WINS,true", "CLIENT_WINS,true", "SERVER_WINS,false"})
  void patchOfARecordDeletedOnTheServer_404_isAConflictWithTheTombstone(
      ConflictStrategy strategy, boolean revived) throws IOException {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    DefaultCollectionsClient b = open(device("b").conflictStrategy(strategy));
    a.collection("todos").save(doc("{'text':'x','n':1}"), "r");
    sync(a);
    sync(b);
    clock.advance(Duration.ofSeconds(1));
    a.collection("todos").delete("r");
    sync(a);
    clock.advance(Duration.ofSeconds(1));
    b.collection("todos").update("r", doc("{'n':2}"));

    SyncResult pushed = b.pushOnlyForTest();
    assertThat(pushed.failed()).as("refusals").isZero();
    assertThat(pushed.conflicts()).isEqualTo(1);
    assertThat(pushed.pending()).isZero();
    assertThat(b.pendingOperations()).isEmpty();
    sync(a);
    JsonNode stored = serverRecord("r");
    if (revived) {
      assertThat(stored.get("data")).isEqualTo(doc("{'text':'x','n':2}"));
      assertThat(stored.get("version").longValue()).isEqualTo(3);
      assertThat(a.collection("todos").get("r")).isEqualTo(doc("{'text':'x','n':2}"));
      assertThat(b.collection("todos").get("r")).isEqualTo(doc("{'text':'x','n':2}"));
    } else {
      assertThat(stored.get("deleted").booleanValue()).isTrue();
      assertThat(stored.get("version").longValue()).isEqualTo(2);
      assertThat(b.collection("todos").get("r")).isNull();
    }
  }

  @Test
  void patchOfARecordDeletedOnTheServer_manual_keepsTheConflictWithTheTombstone()
      throws IOException {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    DefaultCollectionsClient b = open(device("b").conflictStrategy(ConflictStrategy.MANUAL));
    a.collection("todos").save(doc("{'text':'x'}"), "r");
    sync(a);
    sync(b);
    a.collection("todos").delete("r");
    sync(a);
    b.collection("todos").update("r", doc("{'n':2}"));

    SyncResult pushed = b.pushOnlyForTest();
    assertThat(pushed.failed()).isZero();
    assertThat(b.pendingConflicts())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.remote()).isNull();
              assertThat(k.local()).isEqualTo(doc("{'text':'x','n':2}"));
              assertThat(k.remoteVersion()).isEqualTo(2);
            });
    assertThat(b.collection("todos").status("r")).isEqualTo(SyncStatus.CONFLICT);
    b.collection("todos").resolveConflict("r", null);
    sync(b);
    assertThat(b.pendingCount()).isZero();
    assertThat(b.collection("todos").get("r")).isNull();
    assertThat(serverRecord("r").get("deleted").booleanValue()).isTrue();
  }

  @Test
  void patchOfARecordWhoseTombstoneWasPurged_404_isStillARefusal() {
    startServer(List.of());
    DefaultCollectionsClient a = open(device("a"));
    DefaultCollectionsClient b = open(device("b").maxRetries(1));
    a.collection("todos").save(doc("{'text':'x'}"), "r");
    sync(a);
    sync(b);
    a.collection("todos").delete("r");
    sync(a);
    assertThat(server.collections().purgeTombstones(Long.MAX_VALUE).join()).isEqualTo(1);
    b.collection("todos").update("r", doc("{'n':2}"));

    // No tombstone to settle against: the patch is refused and counted, as before.
    SyncResult pushed = b.pushOnlyForTest();
    assertThat(pushed.failed()).isEqualTo(1);
    assertThat(pushed.conflicts()).isZero();
    assertThat(b.pendingOperations())
        .singleElement()
        .satisfies(
            op -> {
              assertThat(op.status()).isEqualTo(OperationStatus.FAILED);
              assertThat(op.lastError()).contains("404");
            });
  }
}
