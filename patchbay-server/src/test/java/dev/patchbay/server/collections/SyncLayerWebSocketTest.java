package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** The SyncLayer WebSocket envelope on {@code /sync/ws}, over real sockets (open server). */
class SyncLayerWebSocketTest {
  private PatchbayServer server;
  private SyncHttp http;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").maxRecordBytes(2048).build(),
            DocStores.inMemory());
    http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private WsClient connect() {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    return c;
  }

  private WsClient subscribed(String collection) {
    WsClient c = connect();
    c.send("{\"type\":\"subscribe\",\"collection\":\"" + collection + "\"}");
    c.next("subscribed");
    return c;
  }

  /** A request that runs after every write this client sent before it: a barrier. */
  private static JsonNode barrier(WsClient c, String collection) {
    c.send("{\"type\":\"sync\",\"collection\":\"" + collection + "\"}");
    return c.next("sync");
  }

  @Test
  void ping_answersPong() {
    WsClient c = connect();
    c.send("{\"type\":\"ping\"}");
    assertThat(c.next("pong").get("timestamp").stringValue()).endsWith("Z");
  }

  @Test
  void subscribe_answersSubscribedWithRecordCount_unsubscribeAnswersUnsubscribed() {
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{}}");
    http.post("/sync/todos", "{\"recordId\":\"b\",\"data\":{}}");
    http.delete("/sync/todos/b");
    WsClient c = connect();
    c.send("{\"type\":\"subscribe\",\"collection\":\"todos\"}");
    JsonNode sub = c.next("subscribed");
    assertThat(sub.get("collection").stringValue()).isEqualTo("todos");
    assertThat(sub.get("metadata").get("recordCount").longValue()).isEqualTo(1);
    assertThat(sub.get("metadata").get("cursor").longValue()).isEqualTo(3);
    c.send("{\"type\":\"unsubscribe\",\"collection\":\"todos\"}");
    assertThat(c.next("unsubscribed").get("collection").stringValue()).isEqualTo("todos");
  }

  @Test
  void unsubscribe_notSubscribed_answersCollectionNotFound() {
    WsClient c = connect();
    c.send("{\"type\":\"unsubscribe\",\"collection\":\"todos\"}");
    JsonNode e = c.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("COLLECTION_NOT_FOUND");
    assertThat(e.get("metadata").get("collection").stringValue()).isEqualTo("todos");
  }

  @Test
  void insert_isPersistedAndBroadcastToOthersNotTheSender() {
    WsClient sender = subscribed("todos");
    WsClient other = subscribed("todos");
    WsClient elsewhere = subscribed("groceries");
    sender.send(
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"r1\","
            + "\"data\":{\"text\":\"Buy groceries\",\"done\":false},"
            + "\"timestamp\":\"2026-02-24T10:30:00Z\"}");
    JsonNode m = other.next("insert");
    assertThat(m.get("collection").stringValue()).isEqualTo("todos");
    assertThat(m.get("recordId").stringValue()).isEqualTo("r1");
    assertThat(m.get("data").get("text").stringValue()).isEqualTo("Buy groceries");
    assertThat(m.get("timestamp").stringValue()).isEqualTo("2026-02-24T10:30:00.000Z");
    assertThat(m.get("metadata").get("version").longValue()).isEqualTo(1);
    assertThat(m.get("metadata").get("userId").stringValue()).isEqualTo("anonymous");
    assertThat(m.get("metadata").get("patch").booleanValue()).isFalse();
    // The sender's next message is its own sync answer: no echo of its insert came before it.
    JsonNode snap = barrier(sender, "todos");
    assertThat(snap.get("data").get("records")).hasSize(1);
    assertThat(barrier(elsewhere, "groceries").get("data").get("records")).isEmpty();
    assertThat(http.get("/sync/todos/r1").body().get("version").longValue()).isEqualTo(1);
  }

  @Test
  void update_withoutFlag_isAPatch_broadcastCarriesWholeRecord() {
    WsClient sender = subscribed("todos");
    WsClient other = subscribed("todos");
    sender.send(
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"r1\","
            + "\"data\":{\"text\":\"milk\",\"done\":false}}");
    other.next("insert");
    sender.send(
        "{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"r1\","
            + "\"data\":{\"done\":true}}");
    JsonNode m = other.next("update");
    assertThat(m.get("data").get("text").stringValue()).isEqualTo("milk");
    assertThat(m.get("data").get("done").booleanValue()).isTrue();
    assertThat(m.get("metadata").get("version").longValue()).isEqualTo(2);
    assertThat(m.get("metadata").get("patch").booleanValue()).isFalse();
  }

  @Test
  void update_patchFalse_replacesTheRecord() {
    WsClient sender = subscribed("todos");
    WsClient other = subscribed("todos");
    sender.send(
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"r1\","
            + "\"data\":{\"text\":\"milk\",\"done\":false}}");
    other.next("insert");
    sender.send(
        "{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"r1\","
            + "\"data\":{\"done\":true},\"metadata\":{\"patch\":false}}");
    JsonNode m = other.next("update");
    assertThat(m.get("data").has("text")).isFalse();
    assertThat(m.get("data").get("done").booleanValue()).isTrue();
  }

  @Test
  void delete_isBroadcastWithUserId_unknownRecordAnswersRecordNotFound() {
    WsClient sender = subscribed("todos");
    WsClient other = subscribed("todos");
    sender.send("{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"r1\",\"data\":{}}");
    other.next("insert");
    sender.send("{\"type\":\"delete\",\"collection\":\"todos\",\"recordId\":\"r1\"}");
    JsonNode m = other.next("delete");
    assertThat(m.get("recordId").stringValue()).isEqualTo("r1");
    assertThat(m.has("data")).isFalse();
    assertThat(m.get("metadata").get("userId").stringValue()).isEqualTo("anonymous");
    sender.send("{\"type\":\"delete\",\"collection\":\"todos\",\"recordId\":\"never\"}");
    JsonNode e = sender.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
    assertThat(e.get("metadata").get("recordId").stringValue()).isEqualTo("never");
    sender.send(
        "{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"r1\",\"data\":{\"x\":1}}");
    assertThat(sender.next("error").get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
  }

  @Test
  void sync_withoutCursorSendsLiveRecords_withCursorSendsTheFeedWithTombstones() {
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{\"n\":1}}");
    http.post("/sync/todos", "{\"recordId\":\"b\",\"data\":{\"n\":2}}");
    http.delete("/sync/todos/a");
    WsClient c = connect();
    JsonNode live = barrier(c, "todos");
    assertThat(live.get("data").get("records")).hasSize(1);
    JsonNode rec = live.get("data").get("records").get(0);
    assertThat(rec.get("id").stringValue()).isEqualTo("b");
    assertThat(rec.get("version").longValue()).isEqualTo(1);
    assertThat(rec.get("data").get("n").intValue()).isEqualTo(2);
    assertThat(rec.get("updatedAt").stringValue()).endsWith("Z");
    c.send("{\"type\":\"sync\",\"collection\":\"todos\",\"metadata\":{\"cursor\":1}}");
    JsonNode feed = c.next("sync");
    assertThat(feed.get("data").get("records")).hasSize(2);
    assertThat(feed.get("data").get("records").get(1).get("deleted").booleanValue()).isTrue();
    assertThat(feed.get("metadata").get("cursor").longValue()).isEqualTo(3);
    assertThat(feed.get("metadata").get("hasMore").booleanValue()).isFalse();
  }

  @Test
  void subscribe_withCursor_isFollowedByTheFeedAfterIt() {
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{}}");
    http.post("/sync/todos", "{\"recordId\":\"b\",\"data\":{}}");
    WsClient c = connect();
    c.send("{\"type\":\"subscribe\",\"collection\":\"todos\",\"metadata\":{\"cursor\":1}}");
    c.next("subscribed");
    JsonNode feed = c.next("sync");
    assertThat(feed.get("data").get("records")).hasSize(1);
    assertThat(feed.get("data").get("records").get(0).get("id").stringValue()).isEqualTo("b");
  }

  @Test
  void conflictLost_senderGetsStoredRecordMarkedConflict() {
    WsClient sender = subscribed("todos");
    http.post(
        "/sync/todos",
        "{\"recordId\":\"a\",\"data\":{\"n\":1},\"timestamp\":\"2024-01-01T10:05:00Z\"}");
    sender.next("insert");
    sender.send(
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{\"n\":2},"
            + "\"timestamp\":\"2024-01-01T10:00:00Z\"}");
    JsonNode back = sender.next("insert");
    assertThat(back.get("metadata").get("conflict").booleanValue()).isTrue();
    assertThat(back.get("data").get("n").intValue()).isEqualTo(1);
  }

  @Test
  void sameChangeOverWebSocketAndHttp_appliesOnce() {
    WsClient c = connect();
    c.send(
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{\"n\":1},"
            + "\"timestamp\":\"2024-01-01T10:00:00.000\"}");
    barrier(c, "todos");
    SyncHttp.Res r =
        http.post(
            "/sync/todos",
            "{\"recordId\":\"a\",\"data\":{\"n\":1},\"timestamp\":\"2024-01-01T10:00:00.000\"}");
    assertThat(r.body().get("result").stringValue()).isEqualTo("duplicate");
    c.send(
        "{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{\"n\":2},"
            + "\"changeId\":\"u-1\"}");
    barrier(c, "todos");
    SyncHttp.Res again =
        http.patch("/sync/todos/a", "{\"delta\":{\"n\":3},\"baseVersion\":1,\"changeId\":\"u-1\"}");
    assertThat(again.body().get("result").stringValue()).isEqualTo("duplicate");
    JsonNode stored = http.get("/sync/todos/a").body();
    assertThat(stored.get("version").longValue()).isEqualTo(2);
    assertThat(stored.get("data").get("n").intValue()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{not json",
        "[1]",
        "{}",
        "{\"type\":\"\"}",
        "{\"type\":7}",
        "{\"type\":\"subscribed\"}",
        "{\"type\":\"frobnicate\"}",
        "{\"type\":\"subscribe\"}",
        "{\"type\":\"subscribe\",\"collection\":\"bad name\"}",
        "{\"type\":\"insert\",\"recordId\":\"a\",\"data\":{}}",
        "{\"type\":\"insert\",\"collection\":\"todos\",\"data\":{}}",
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\"}",
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":[1]}",
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{},"
            + "\"timestamp\":\"noon\"}",
        "{\"type\":\"update\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{},"
            + "\"metadata\":{\"baseVersion\":\"x\"}}",
        "{\"type\":\"sync\",\"collection\":\"todos\",\"metadata\":{\"cursor\":-1}}",
      })
  void badInput_answersInvalidMessageAndChangesNothing(String text) {
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{\"n\":1}}");
    WsClient c = connect();
    c.send(text);
    JsonNode e = c.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("INVALID_MESSAGE");
    assertThat(e.get("error").stringValue()).isNotEmpty();
    JsonNode stored = http.get("/sync/todos/a").body();
    assertThat(stored.get("version").longValue()).isEqualTo(1);
    assertThat(stored.get("data").get("n").intValue()).isEqualTo(1);
    c.send("{\"type\":\"ping\"}");
    c.next("pong");
  }

  @Test
  void recordTooLarge_answersInvalidMessageAndChangesNothing() {
    WsClient c = connect();
    c.send(
        "{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{\"t\":\""
            + "x".repeat(3000)
            + "\"}}");
    assertThat(c.next("error").get("code").stringValue()).isEqualTo("INVALID_MESSAGE");
    assertThat(http.get("/sync/todos/a").status()).isEqualTo(404);
  }
}
