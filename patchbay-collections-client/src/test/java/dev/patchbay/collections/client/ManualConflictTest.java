package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Strategy MANUAL: the conflict is kept, the record marked and held back until resolved. */
class ManualConflictTest {
  @TempDir Path tmp;
  private PatchbayServer server;
  private final TestClock clock = new TestClock(Instant.parse("2024-01-01T10:00:00Z"));
  private CollectionsClient a;
  private CollectionsClient b;

  private CollectionsClient device(String name, ConflictStrategy strategy) {
    return CollectionsClient.builder()
        .baseUrl("http://127.0.0.1:" + server.address().getPort())
        .dataDirectory(tmp.resolve(name))
        .collections("todos")
        .autoSync(false)
        .clock(clock)
        .conflictStrategy(strategy)
        .build();
  }

  private static SyncResult sync(CollectionsClient c) {
    return c.syncNow().orTimeout(30, TimeUnit.SECONDS).join();
  }

  @BeforeEach
  void start() {
    server = PatchbayServer.start(ServerConfig.builder().port(0).build(), DocStores.inMemory());
    a = device("a", ConflictStrategy.LAST_WRITE_WINS);
    b = device("b", ConflictStrategy.MANUAL);
    a.collection("todos").save(doc("{'text':'base','n':1}"), "1");
    sync(a);
    sync(b);
    clock.advance(Duration.ofSeconds(1));
    a.collection("todos").update("1", doc("{'text':'A'}"));
    sync(a);
    clock.advance(Duration.ofSeconds(1));
    b.collection("todos").update("1", doc("{'text':'B'}"));
    b.collection("todos").update("1", doc("{'n':2}"));
    assertThat(sync(b).conflicts()).isEqualTo(1);
  }

  @AfterEach
  void stop() {
    a.close();
    b.close();
    server.close();
  }

  @Test
  void conflict_isKept_recordMarked_localCopyKept_changesHeldBack() {
    assertThat(b.pendingConflicts())
        .singleElement()
        .satisfies(
            k -> {
              assertThat(k.recordId()).isEqualTo("1");
              assertThat(Json.write(k.local())).isEqualTo("{\"text\":\"B\",\"n\":2}");
              assertThat(Json.write(k.remote())).isEqualTo("{\"text\":\"A\",\"n\":1}");
              assertThat(k.remoteVersion()).isEqualTo(2);
              assertThat(k.localTime()).isAfter(k.remoteTime());
            });
    assertThat(b.collection("todos").status("1")).isEqualTo(SyncStatus.CONFLICT);
    assertThat(b.collection("todos").get("1").get("text").stringValue()).isEqualTo("B");
    assertThat(b.status().conflictCount()).isEqualTo(1);
    assertThat(b.pendingCount()).isEqualTo(2);
    sync(b);
    sync(a);
    assertThat(a.collection("todos").get("1").get("text").stringValue()).isEqualTo("A");
  }

  @Test
  void conflict_survivesARestart() {
    b.close();
    b = device("b", ConflictStrategy.MANUAL);
    assertThat(b.pendingConflicts()).hasSize(1);
    assertThat(b.collection("todos").status("1")).isEqualTo(SyncStatus.CONFLICT);
  }

  @Test
  void resolve_withAMerge_pushesIt_andEveryDeviceConverges() {
    b.collection("todos").resolveConflict("1", doc("{'text':'A+B','n':2}"));
    assertThat(b.pendingConflicts()).isEmpty();
    assertThat(b.collection("todos").status("1")).isEqualTo(SyncStatus.PENDING);
    SyncResult pushed = sync(b);
    assertThat(pushed.conflicts()).isZero();
    assertThat(pushed.pending()).isZero();
    sync(a);
    assertThat(Json.write(a.collection("todos").get("1"))).isEqualTo("{\"text\":\"A+B\",\"n\":2}");
    assertThat(b.collection("todos").status("1")).isEqualTo(SyncStatus.SYNCED);
  }

  @Test
  void resolve_withTheRemoteRecord_pushesNothing() {
    b.collection("todos").resolveConflict("1", doc("{'text':'A','n':1}"));
    assertThat(b.pendingCount()).isZero();
    assertThat(b.collection("todos").status("1")).isEqualTo(SyncStatus.SYNCED);
    assertThat(b.collection("todos").get("1").get("text").stringValue()).isEqualTo("A");
  }

  @Test
  void resolve_withNull_deletesEverywhere() {
    b.collection("todos").resolveConflict("1", null);
    assertThat(b.collection("todos").get("1")).isNull();
    sync(b);
    sync(a);
    assertThat(a.collection("todos").get("1")).isNull();
  }

  @Test
  void resolve_withoutAConflict_failsWith404() {
    assertThatThrownBy(() -> b.collection("todos").resolveConflict("other", doc("{}")))
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("no pending conflict");
  }
}
