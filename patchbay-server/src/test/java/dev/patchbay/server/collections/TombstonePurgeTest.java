package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * After tombstones are purged, a client whose cursor is older than a purged delete is told to pull
 * everything again, in each front; cursor 0 and current cursors keep working.
 */
class TombstonePurgeTest {
  private PatchbayServer server;
  private SyncHttp http;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .tombstoneRetention(Duration.ofDays(1))
                .build(),
            DocStores.inMemory());
    http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
    for (String c : List.of("todos", "notes")) {
      http.post("/sync/" + c, "{\"recordId\":\"a\",\"data\":{}}"); // seq 1
      http.post("/sync/" + c, "{\"recordId\":\"b\",\"data\":{}}"); // seq 2
      http.delete("/sync/" + c + "/a"); // seq 3
      http.post("/sync/" + c, "{\"recordId\":\"c\",\"data\":{}}"); // seq 4
    }
    int removed =
        server
            .collections()
            .purgeTombstones(System.currentTimeMillis() + 1000)
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    assertThat(removed).isEqualTo(2);
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  @Test
  void http_cursorBelowHorizon_answers410CursorExpired_zeroAndCurrentWork() {
    SyncHttp.Res expired = http.get("/sync/todos?cursor=2");
    assertThat(expired.status()).isEqualTo(410);
    assertThat(expired.body().get("code").stringValue()).isEqualTo("CURSOR_EXPIRED");
    JsonNode all = http.get("/sync/todos?cursor=0").body();
    assertThat(all.get("records"))
        .extracting(r -> r.get("recordId").stringValue())
        .containsExactly("b", "c");
    assertThat(http.get("/sync/todos?cursor=3").body().get("records")).hasSize(1);
    assertThat(http.get("/sync/todos/a").status()).isEqualTo(404);
  }

  @Test
  void syncLayer_snapshotFromExpiredCursor_sendsLiveRecordsWithReset() {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    c.send("{\"type\":\"sync\",\"collection\":\"todos\",\"metadata\":{\"cursor\":1}}");
    JsonNode snap = c.next("sync");
    assertThat(snap.get("metadata").get("reset").booleanValue()).isTrue();
    assertThat(snap.get("data").get("records")).hasSize(2);
    c.send("{\"type\":\"sync\",\"collection\":\"todos\",\"metadata\":{\"cursor\":3}}");
    JsonNode fresh = c.next("sync");
    assertThat(fresh.get("metadata").has("reset")).isFalse();
    assertThat(fresh.get("data").get("records")).hasSize(1);
  }

  @Test
  void notes_resumeFromExpiredCursor_sendsSyncRequiredCursorExpired() {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/notes/ws");
    clients.add(c);
    c.next("sync_required");
    c.send("{\"type\":\"resume\",\"payload\":{\"cursor\":2},\"timestamp\":\"t\"}");
    JsonNode m = c.next("sync_required");
    assertThat(m.get("payload").get("reason").stringValue()).isEqualTo("cursor_expired");
    assertThat(m.get("payload").get("cursor").longValue()).isEqualTo(4);
  }
}
