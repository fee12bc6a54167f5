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
import tools.jackson.databind.JsonNode;

/**
 * Batch pushes ({@code POST /sync/{c}} with {@code operations}, the {@code batch} message on {@code
 * /sync/ws}), and the feed position and change id that broadcasts carry.
 */
class WriteBatchTest {
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
                .maxRecordBytes(2048)
                .collectionRules(List.of("strict=reject"))
                .build(),
            DocStores.inMemory());
    http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private WsClient subscribed(String collection) {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    c.send("{\"type\":\"subscribe\",\"collection\":\"" + collection + "\"}");
    assertThat(c.next("subscribed").get("metadata").get("batch").booleanValue()).isTrue();
    return c;
  }

  @Test
  void httpBatch_answersEachOperationInOrder_oneFailureLeavesTheOthers() {
    SyncHttp.Res res =
        http.post(
            "/sync/todos",
            "{\"operations\":["
                + "{\"op\":\"put\",\"recordId\":\"a\",\"data\":{\"n\":1},\"changeId\":\"c1\"},"
                + "{\"op\":\"patch\",\"recordId\":\"a\",\"data\":{\"m\":2},\"changeId\":\"c2\"},"
                + "{\"op\":\"patch\",\"recordId\":\"missing\",\"data\":{\"m\":2}},"
                + "{\"op\":\"put\",\"recordId\":\"a/b\",\"data\":{}},"
                + "{\"op\":\"put\",\"collection\":\"other\",\"recordId\":\"x\",\"data\":{}},"
                + "{\"op\":\"delete\",\"recordId\":\"a\",\"changeId\":\"c3\"},"
                + "{\"op\":\"put\",\"recordId\":\"a\",\"data\":{\"n\":1},\"changeId\":\"c1\"}]}");

    assertThat(res.status()).isEqualTo(200);
    JsonNode r = res.body().get("results");
    assertThat(r).hasSize(7);
    assertThat(r.get(0).get("status").intValue()).isEqualTo(200);
    assertThat(r.get(0).get("result").stringValue()).isEqualTo("applied");
    assertThat(r.get(0).get("record").get("version").longValue()).isEqualTo(1);
    assertThat(r.get(0).get("record").get("seq").longValue()).isEqualTo(1);
    assertThat(r.get(1).get("record").get("data").toString()).isEqualTo("{\"n\":1,\"m\":2}");
    assertThat(r.get(1).get("record").get("seq").longValue()).isEqualTo(2);
    assertThat(r.get(2).get("status").intValue()).isEqualTo(404);
    assertThat(r.get(2).get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
    assertThat(r.get(3).get("status").intValue()).isEqualTo(400);
    assertThat(r.get(4).get("status").intValue()).isEqualTo(400);
    assertThat(r.get(5).get("record").get("deleted").booleanValue()).isTrue();
    assertThat(r.get(6).get("result").stringValue()).isEqualTo("duplicate");
    assertThat(http.get("/sync/todos/a").body().get("version").longValue()).isEqualTo(3);
  }

  @Test
  void httpBatch_notAnArrayOrTooMany_isRefusedWhole() {
    assertThat(http.post("/sync/todos", "{\"operations\":{}}").status()).isEqualTo(400);
    StringBuilder many = new StringBuilder("{\"operations\":[");
    for (int i = 0; i <= WriteBatch.MAX_OPERATIONS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"op\":\"delete\",\"recordId\":\"r").append(i);
      many.append("\"}");
    }
    assertThat(http.post("/sync/todos", many + "]}").status()).isEqualTo(400);
    assertThat(http.get("/sync/todos?cursor=0").body().get("records")).isEmpty();
  }

  @Test
  void httpBatch_conflictUnderReject_answers409WithTheStoredRecord() {
    http.post("/sync/strict", "{\"recordId\":\"a\",\"data\":{\"v\":1}}");
    JsonNode r =
        http.post(
                "/sync/strict",
                "{\"operations\":[{\"op\":\"put\",\"recordId\":\"a\",\"data\":{\"v\":2},"
                    + "\"baseVersion\":7}]}")
            .body()
            .get("results")
            .get(0);
    assertThat(r.get("status").intValue()).isEqualTo(409);
    assertThat(r.get("code").stringValue()).isEqualTo("VERSION_CONFLICT");
    assertThat(r.get("record").get("data").get("v").intValue()).isEqualTo(1);
  }

  @Test
  void wsBatch_answersByRequestId_broadcastsToOthersWithSeqAndChangeId_notToTheSender() {
    WsClient sender = subscribed("todos");
    WsClient other = subscribed("todos");
    sender.send(
        "{\"type\":\"batch\",\"metadata\":{\"requestId\":\"q1\"},\"operations\":["
            + "{\"op\":\"put\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{\"n\":1},"
            + "\"changeId\":\"c1\",\"timestamp\":\"2026-01-01T00:00:00Z\"},"
            + "{\"op\":\"put\",\"collection\":\"todos\",\"recordId\":\"b\",\"data\":{\"n\":2},"
            + "\"changeId\":\"c2\"},"
            + "{\"op\":\"put\",\"recordId\":\"c\",\"data\":{}}]}");

    JsonNode answer = sender.next("batch_result");
    assertThat(answer.get("metadata").get("requestId").stringValue()).isEqualTo("q1");
    JsonNode results = answer.get("results");
    assertThat(results).hasSize(3);
    assertThat(results.get(0).get("record").get("seq").longValue()).isEqualTo(1);
    assertThat(results.get(1).get("record").get("seq").longValue()).isEqualTo(2);
    assertThat(results.get(2).get("status").intValue()).isEqualTo(400);
    JsonNode first = other.next("insert");
    assertThat(first.get("metadata").get("seq").longValue()).isEqualTo(1);
    assertThat(first.get("metadata").get("changeId").stringValue()).isEqualTo("c1");
    assertThat(other.next("insert").get("metadata").get("seq").longValue()).isEqualTo(2);
    // The sender's next message answers its barrier: its own writes were not echoed.
    sender.send("{\"type\":\"sync\",\"collection\":\"todos\"}");
    assertThat(sender.next().get("type").stringValue()).isEqualTo("sync");
  }

  @Test
  void wsBatch_sameChangeIdAgain_isDuplicate_noNewVersion() {
    WsClient sender = subscribed("todos");
    String batch =
        "{\"type\":\"batch\",\"metadata\":{\"requestId\":7},\"operations\":["
            + "{\"op\":\"put\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{\"n\":1},"
            + "\"changeId\":\"c1\"}]}";
    sender.send(batch);
    assertThat(sender.next("batch_result").get("results").get(0).get("result").stringValue())
        .isEqualTo("applied");
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{\"n\":1},\"changeId\":\"c1\"}");
    sender.send(batch);
    JsonNode again = sender.next("batch_result");
    assertThat(again.get("metadata").get("requestId").intValue()).isEqualTo(7);
    assertThat(again.get("results").get(0).get("result").stringValue()).isEqualTo("duplicate");
    assertThat(http.get("/sync/todos/a").body().get("version").longValue()).isEqualTo(1);
  }

  @Test
  void wsBatch_withoutOperations_answersAnError() {
    WsClient sender = subscribed("todos");
    sender.send("{\"type\":\"batch\",\"metadata\":{\"requestId\":\"q\"}}");
    JsonNode answer = sender.next("batch_result");
    assertThat(answer.get("code").stringValue()).isEqualTo("INVALID_MESSAGE");
    assertThat(answer.has("results")).isFalse();
  }

  @Test
  void httpWrite_broadcastCarriesItsChangeId() {
    WsClient other = subscribed("todos");
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{\"n\":1},\"changeId\":\"h1\"}");
    JsonNode m = other.next("insert");
    assertThat(m.get("metadata").get("changeId").stringValue()).isEqualTo("h1");
    assertThat(m.get("metadata").get("seq").longValue()).isEqualTo(1);
  }
}
