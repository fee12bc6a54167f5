package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Metrics counters, the UI status and the sync-enabled switch. */
class MetricsStatusTest {
  @TempDir Path tmp;
  private PatchbayServer server;
  private final TestClock clock = new TestClock(Instant.parse("2024-01-01T10:00:00Z"));
  private CollectionsClient a;

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).maxRecordBytes(1024).build(), DocStores.inMemory());
    a =
        CollectionsClient.builder()
            .baseUrl("http://127.0.0.1:" + server.address().getPort())
            .dataDirectory(tmp.resolve("a"))
            .collections("todos")
            .autoSync(false)
            .maxRetries(1)
            .clock(clock)
            .build();
  }

  @AfterEach
  void stop() {
    a.close();
    server.close();
  }

  @Test
  void metrics_countRunsOperationsAndErrors_resetClearsThem() {
    a.collection("todos").save(doc("{'n':1}"), "1");
    a.collection("todos").save(doc("{'big':'" + "x".repeat(2000) + "'}"), "big");
    a.syncNow().join();
    server.close(); // the next run cannot reach it
    assertThatThrownBy(() -> a.syncNow().join()).isInstanceOf(CompletionException.class);

    SyncMetrics m = a.metrics();
    assertThat(m.syncAttempts()).isEqualTo(2);
    assertThat(m.syncSuccesses()).isEqualTo(1);
    assertThat(m.syncFailures()).isEqualTo(1);
    assertThat(m.successRate()).isEqualTo(0.5);
    assertThat(m.operationsQueued()).isEqualTo(2);
    assertThat(m.operationsSynced()).isEqualTo(1);
    assertThat(m.operationsFailed()).isEqualTo(1);
    assertThat(m.topErrors()).hasSize(2);
    assertThat(m.topErrors().keySet()).anyMatch(k -> k.contains("413"));
    assertThat(m.lastSyncTime()).isEqualTo(Instant.parse("2024-01-01T10:00:00Z"));
    assertThat(m.averageSyncDuration()).isPositive();

    a.resetMetrics();
    SyncMetrics zero = a.metrics();
    assertThat(zero.syncAttempts()).isZero();
    assertThat(zero.operationsQueued()).isZero();
    assertThat(zero.topErrors()).isEmpty();
    assertThat(zero.successRate()).isZero();
    assertThat(zero.averageSyncDuration()).isEqualTo(Duration.ZERO);
  }

  @Test
  void status_reportsPendingAndSwitch_andADisabledSyncRefusesClearly() {
    a.collection("todos").save(doc("{'n':1}"), "1");
    assertThat(a.status().pendingCount()).isEqualTo(1);
    assertThat(a.status().lastSyncTime()).isNull();
    a.setSyncEnabled(false);
    assertThat(a.status().syncEnabled()).isFalse();
    assertThatThrownBy(() -> a.syncNow().join())
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sync is disabled");
    a.setSyncEnabled(true); // starts a run
    await().atMost(Duration.ofSeconds(30)).until(() -> a.status().pendingCount() == 0);
    ClientStatus s = a.status();
    assertThat(s.syncEnabled()).isTrue();
    assertThat(s.lastSyncTime()).isNotNull();
    assertThat(s.conflictCount()).isZero();
    assertThat(s.realtime()).isEqualTo(RealtimeState.DISCONNECTED);
  }
}
