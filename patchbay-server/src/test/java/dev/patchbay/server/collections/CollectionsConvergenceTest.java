package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Devices sharing a collection converge, through HTTP only, WebSocket only, or one of each; and a
 * cursor pull loop sees every record and every delete of 10,000 records written concurrently by 10
 * writers at the same timestamp.
 */
class CollectionsConvergenceTest {
  private PatchbayServer server;
  private SyncHttp http;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            // The load test writes 1,100 messages per WebSocket: no rate limit in this class.
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .messagesPerSecond(1_000_000)
                .messageBurst(1_000_000)
                .build(),
            DocStores.inMemory());
    http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  /** A device's local copy: record id to data, deletes removed. */
  private static final class Device {
    final Map<String, JsonNode> records = new TreeMap<>();
    long cursor;

    /** Pulls everything after its cursor over HTTP, page by page. */
    void pull(SyncHttp http, String collection) {
      while (true) {
        JsonNode page = http.get("/sync/" + collection + "?cursor=" + cursor + "&limit=3").body();
        for (JsonNode r : page.get("records")) {
          apply(r.get("recordId").stringValue(), r.get("data"), r.has("deleted"));
        }
        cursor = page.get("nextCursor").longValue();
        if (!page.get("hasMore").booleanValue()) {
          return;
        }
      }
    }

    void apply(String id, JsonNode data, boolean deleted) {
      if (deleted) {
        records.remove(id);
      } else {
        records.put(id, data);
      }
    }

    /** Applies a SyncLayer broadcast (always the whole record). */
    void applyBroadcast(JsonNode m) {
      apply(
          m.get("recordId").stringValue(),
          m.get("data"),
          m.get("type").stringValue().equals("delete"));
    }
  }

  private Map<String, JsonNode> serverState(String collection) {
    Device fresh = new Device();
    fresh.pull(http, collection);
    return fresh.records;
  }

  @Test
  void twoDevices_httpOnly_converge() {
    Device a = new Device();
    Device b = new Device();
    http.post("/sync/todos", "{\"recordId\":\"1\",\"data\":{\"t\":\"a1\"}}");
    a.records.put("1", Json.parse("{\"t\":\"a1\"}"));
    http.post("/sync/todos", "{\"recordId\":\"2\",\"data\":{\"t\":\"b2\"}}");
    b.records.put("2", Json.parse("{\"t\":\"b2\"}"));
    b.pull(http, "todos");
    a.pull(http, "todos");
    http.patch("/sync/todos/1", "{\"delta\":{\"done\":true},\"baseVersion\":1}");
    http.delete("/sync/todos/2");
    for (int i = 3; i < 10; i++) {
      http.post("/sync/todos", "{\"recordId\":\"" + i + "\",\"data\":{\"n\":" + i + "}}");
    }
    a.pull(http, "todos");
    b.pull(http, "todos");
    assertThat(a.records).isEqualTo(b.records).isEqualTo(serverState("todos"));
    assertThat(a.records).hasSize(8).doesNotContainKey("2");
    assertThat(a.records.get("1").get("done").booleanValue()).isTrue();
  }

  private WsClient subscribed(String collection) {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    c.send("{\"type\":\"subscribe\",\"collection\":\"" + collection + "\"}");
    c.next("subscribed");
    return c;
  }

  @Test
  void twoDevices_webSocketOnly_converge() {
    WsClient wa = subscribed("todos");
    WsClient wb = subscribed("todos");
    Device a = new Device();
    Device b = new Device();
    wa.send("{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"1\",\"data\":{\"t\":1}}");
    a.apply("1", Json.parse("{\"t\":1}"), false);
    b.applyBroadcast(wb.next("insert"));
    wb.send("{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"1\",\"data\":{\"u\":2}}");
    b.apply("1", Json.parse("{\"t\":1,\"u\":2}"), false);
    a.applyBroadcast(wa.next("update"));
    wb.send("{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"2\",\"data\":{\"t\":2}}");
    b.apply("2", Json.parse("{\"t\":2}"), false);
    a.applyBroadcast(wa.next("insert"));
    wa.send("{\"type\":\"delete\",\"collection\":\"todos\",\"recordId\":\"1\"}");
    a.apply("1", Json.object(), true);
    b.applyBroadcast(wb.next("delete"));
    assertThat(a.records).isEqualTo(b.records).isEqualTo(serverState("todos"));
    assertThat(a.records).containsOnlyKeys("2");
  }

  @Test
  void twoDevices_mixed_converge() {
    WsClient wa = subscribed("todos");
    Device a = new Device();
    Device b = new Device();
    wa.send("{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"1\",\"data\":{\"t\":1}}");
    a.apply("1", Json.parse("{\"t\":1}"), false);
    wa.send("{\"type\":\"sync\",\"collection\":\"todos\"}");
    wa.next("sync");
    b.pull(http, "todos");
    http.patch("/sync/todos/1", "{\"delta\":{\"by\":\"b\"},\"baseVersion\":1}");
    http.post("/sync/todos", "{\"recordId\":\"2\",\"data\":{\"t\":2}}");
    a.applyBroadcast(wa.next("update"));
    a.applyBroadcast(wa.next("insert"));
    wa.send("{\"type\":\"delete\",\"collection\":\"todos\",\"recordId\":\"2\"}");
    a.apply("2", Json.object(), true);
    wa.send("{\"type\":\"sync\",\"collection\":\"todos\"}");
    wa.next("sync");
    b.pull(http, "todos");
    assertThat(a.records).isEqualTo(b.records).isEqualTo(serverState("todos"));
    assertThat(a.records.get("1").get("by").stringValue()).isEqualTo("b");
  }

  /**
   * 10 writers push 1,000 records each, all with the same timestamp, and delete every tenth after
   * pushing it (1 writer over HTTP, 9 over the WebSocket envelope, which costs far less per write),
   * while a reader pulls pages of 100 from its cursor over HTTP. The reader sees every record,
   * every delete exactly once, never the same version twice, and ends with the server's state.
   * Bounded: 11,000 writes on one collection.
   */
  @Test
  void pullLoop_tenThousandRecordsByTenWriters_seesEveryRecordAndDeleteOnce() throws Exception {
    int writers = 10;
    int perWriter = 1000;
    String ts = "2024-01-01T10:00:00.000";
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      boolean overHttp = w == 0;
      SyncHttp own = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
      WsClient ws = overHttp ? null : subscribed("other");
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < perWriter; i++) {
                  String id = "w" + writer + "-" + i;
                  String data = "{\"w\":" + writer + ",\"i\":" + i + "}";
                  if (overHttp) {
                    SyncHttp.Res r =
                        own.post(
                            "/sync/load",
                            "{\"recordId\":\""
                                + id
                                + "\",\"data\":"
                                + data
                                + ",\"timestamp\":\""
                                + ts
                                + "\"}");
                    assertThat(r.status()).isEqualTo(200);
                    if (i % 10 == 0) {
                      assertThat(own.delete("/sync/load/" + id).status()).isEqualTo(200);
                    }
                  } else {
                    ws.send(
                        "{\"type\":\"insert\",\"collection\":\"load\",\"recordId\":\""
                            + id
                            + "\",\"data\":"
                            + data
                            + ",\"timestamp\":\""
                            + ts
                            + "\"}");
                    if (i % 10 == 0) {
                      ws.send(
                          "{\"type\":\"delete\",\"collection\":\"load\",\"recordId\":\""
                              + id
                              + "\"}");
                    }
                  }
                }
                if (ws != null) {
                  // Runs after this connection's writes: they are all stored when it answers.
                  ws.send(
                      "{\"type\":\"sync\",\"collection\":\"load\","
                          + "\"metadata\":{\"cursor\":1000000000}}");
                  assertThat(ws.next("sync").get("data").get("records")).isEmpty();
                }
                return null;
              }));
    }
    Map<String, Integer> tombstonesSeen = new HashMap<>();
    Set<String> versionsSeen = new HashSet<>();
    Set<String> everSeen = new HashSet<>();
    Map<String, JsonNode> local = new HashMap<>();
    long cursor = 0;
    long lastSeq = 0;
    Thread watcher =
        new Thread(
            () -> {
              for (Future<?> f : done) {
                try {
                  f.get(120, TimeUnit.SECONDS);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
              writing.set(false);
            });
    watcher.start();
    while (true) {
      boolean finishedBefore = !writing.get();
      JsonNode page = http.get("/sync/load?cursor=" + cursor + "&limit=100").body();
      JsonNode records = page.get("records");
      assertThat(records.size()).isLessThanOrEqualTo(100);
      for (JsonNode r : records) {
        String id = r.get("recordId").stringValue();
        long version = r.get("version").longValue();
        assertThat(versionsSeen.add(id + "@" + version))
            .as("seen once: " + id + "@" + version)
            .isTrue();
        everSeen.add(id);
        if (r.has("deleted")) {
          tombstonesSeen.merge(id, 1, Integer::sum);
          local.remove(id);
        } else {
          local.put(id, r.get("data"));
        }
      }
      long next = page.get("nextCursor").longValue();
      assertThat(next).isGreaterThanOrEqualTo(cursor);
      cursor = next;
      lastSeq = Math.max(lastSeq, next);
      if (finishedBefore && !page.get("hasMore").booleanValue()) {
        break;
      }
    }
    watcher.join(TimeUnit.SECONDS.toMillis(120));
    pool.shutdown();
    for (Future<?> f : done) {
      f.get(1, TimeUnit.SECONDS);
    }
    assertThat(everSeen).hasSize(writers * perWriter);
    assertThat(tombstonesSeen).hasSize(writers * perWriter / 10);
    assertThat(tombstonesSeen.values()).containsOnly(1);
    assertThat(local).hasSize(writers * perWriter * 9 / 10);
    assertThat(lastSeq).isEqualTo(writers * perWriter + writers * perWriter / 10);
    assertThat(local.keySet()).isEqualTo(serverState("load").keySet());
  }
}
