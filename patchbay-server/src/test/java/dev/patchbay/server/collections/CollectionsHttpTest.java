package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** The SyncLayer HTTP contract over real sockets, on an open server with the in-memory store. */
class CollectionsHttpTest {
  private PatchbayServer server;
  private SyncHttp http;

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .collectionRules(List.of("strict-*=reject", "central=server-wins"))
                .maxRecordBytes(4096)
                .build(),
            DocStores.inMemory());
    http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SyncHttp.Res push(String collection, String id, String data, String ts) {
    return http.post(
        "/sync/" + collection,
        "{\"recordId\":\"" + id + "\",\"data\":" + data + ",\"timestamp\":\"" + ts + "\"}");
  }

  private JsonNode records(String query) {
    SyncHttp.Res r = http.get(query);
    assertThat(r.status()).isEqualTo(200);
    return r.body().get("records");
  }

  @Test
  void push_thenPull_returnsRecordWithVersion() {
    SyncHttp.Res r = push("todos", "a", "{\"text\":\"milk\"}", "2024-01-01T10:00:00.000");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("success").booleanValue()).isTrue();
    assertThat(r.body().get("applied").booleanValue()).isTrue();
    JsonNode pulled = records("/sync/todos?since=2023-12-31T00:00:00.000&limit=100&offset=0");
    assertThat(pulled).hasSize(1);
    JsonNode rec = pulled.get(0);
    assertThat(rec.get("recordId").stringValue()).isEqualTo("a");
    assertThat(rec.get("data").get("text").stringValue()).isEqualTo("milk");
    assertThat(rec.get("version").longValue()).isEqualTo(1);
    assertThat(rec.get("updatedAt").stringValue()).isEqualTo("2024-01-01T10:00:00.000Z");
  }

  @Test
  void push_updatedAtWithZone_isAcceptedAndNormalisedToUtc() {
    SyncHttp.Res r =
        http.post(
            "/sync/todos",
            "{\"recordId\":\"a\",\"data\":{},\"updatedAt\":\"2024-01-01T12:00:00.5+02:00\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("record").get("updatedAt").stringValue())
        .isEqualTo("2024-01-01T10:00:00.500Z");
  }

  @Test
  void pull_since_isStrictlyAfterAndSkipsTombstones() {
    push("todos", "a", "{}", "2024-01-01T10:00:00");
    push("todos", "b", "{}", "2024-01-01T11:00:00");
    push("todos", "c", "{}", "2024-01-01T12:00:00");
    http.delete("/sync/todos/c");
    JsonNode pulled = records("/sync/todos?since=2024-01-01T10:00:00.000");
    assertThat(pulled).hasSize(1);
    assertThat(pulled.get(0).get("recordId").stringValue()).isEqualTo("b");
    assertThat(records("/sync/todos?includeDeleted=true&since=2024-01-01T10:00:00.000")).hasSize(2);
  }

  @Test
  void pull_offsetAndLimit_pageThroughInFeedOrder() {
    for (int i = 0; i < 5; i++) {
      push("todos", "r" + i, "{\"i\":" + i + "}", "2024-01-01T10:00:00");
    }
    List<String> ids = new ArrayList<>();
    for (int offset = 0; ; offset += 2) {
      JsonNode page = records("/sync/todos?limit=2&offset=" + offset);
      page.forEach(r -> ids.add(r.get("recordId").stringValue()));
      if (page.size() < 2) {
        break;
      }
    }
    assertThat(ids).containsExactly("r0", "r1", "r2", "r3", "r4");
  }

  @Test
  void pull_cursor_returnsTombstonesAndNextCursor() {
    push("todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    push("todos", "b", "{\"n\":2}", "2024-01-01T10:00:00");
    push("todos", "c", "{\"n\":3}", "2024-01-01T10:00:00");
    http.delete("/sync/todos/a");
    SyncHttp.Res first = http.get("/sync/todos?cursor=0&limit=2");
    assertThat(first.body().get("records")).hasSize(2);
    assertThat(first.body().get("hasMore").booleanValue()).isTrue();
    long next = first.body().get("nextCursor").longValue();
    SyncHttp.Res second = http.get("/sync/todos?cursor=" + next + "&limit=2");
    JsonNode recs = second.body().get("records");
    assertThat(second.body().get("hasMore").booleanValue()).isFalse();
    assertThat(recs).hasSize(1);
    assertThat(recs.get(0).get("recordId").stringValue()).isEqualTo("a");
    assertThat(recs.get(0).get("deleted").booleanValue()).isTrue();
    assertThat(recs.get(0).get("version").longValue()).isEqualTo(2);
    SyncHttp.Res end =
        http.get("/sync/todos?cursor=" + second.body().get("nextCursor").longValue());
    assertThat(end.body().get("records")).isEmpty();
  }

  @Test
  void pull_whereAndFields_filterOnTheServer() {
    push(
        "todos",
        "a",
        "{\"user\":{\"id\":123},\"status\":\"active\",\"x\":1}",
        "2024-01-01T10:00:00");
    push(
        "todos",
        "b",
        "{\"user\":{\"id\":124},\"status\":\"active\",\"x\":2}",
        "2024-01-01T10:00:00");
    push(
        "todos", "c", "{\"user\":{\"id\":123},\"status\":\"done\",\"x\":3}", "2024-01-01T10:00:00");
    JsonNode only =
        records("/sync/todos?where%5Buser.id%5D=123&where%5Bstatus%5D=active&fields=status");
    assertThat(only).hasSize(1);
    assertThat(only.get(0).get("recordId").stringValue()).isEqualTo("a");
    assertThat(only.get(0).get("data").propertyNames()).containsExactly("status");
    JsonNode excluded = records("/sync/todos?excludeFields=user,status");
    assertThat(excluded).hasSize(3);
    assertThat(excluded.get(0).get("data").propertyNames()).containsExactly("x");
    assertThat(http.get("/sync/todos?fields=a&excludeFields=b").body().get("code").stringValue())
        .isEqualTo("INVALID_REQUEST");
  }

  @Test
  void patch_mergesDeltaAndBumpsVersion_nullRemovesField() {
    push("todos", "a", "{\"text\":\"milk\",\"done\":false,\"tag\":\"x\"}", "2024-01-01T10:00:00");
    SyncHttp.Res r =
        http.patch(
            "/sync/todos/a",
            "{\"delta\":{\"done\":true,\"tag\":null},\"baseVersion\":1,"
                + "\"timestamp\":\"2024-01-01T10:01:00\"}");
    assertThat(r.status()).isEqualTo(200);
    JsonNode rec = r.body().get("record");
    assertThat(rec.get("version").longValue()).isEqualTo(2);
    assertThat(rec.get("data").get("text").stringValue()).isEqualTo("milk");
    assertThat(rec.get("data").get("done").booleanValue()).isTrue();
    assertThat(rec.get("data").has("tag")).isFalse();
  }

  @Test
  void patch_staleBaseVersionUnderReject_answers409WithCurrentRecord() {
    push("strict-todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    http.patch("/sync/strict-todos/a", "{\"delta\":{\"n\":2},\"baseVersion\":1}");
    SyncHttp.Res r =
        http.patch(
            "/sync/strict-todos/a",
            "{\"delta\":{\"n\":3},\"baseVersion\":1,\"timestamp\":\"2030-01-01T00:00:00\"}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.body().get("code").stringValue()).isEqualTo("VERSION_CONFLICT");
    assertThat(r.body().get("record").get("version").longValue()).isEqualTo(2);
    assertThat(r.body().get("record").get("data").get("n").intValue()).isEqualTo(2);
  }

  @Test
  void patch_staleBaseVersionUnderLww_mergesWhenNotOlder() {
    push("todos", "a", "{\"n\":1,\"m\":1}", "2024-01-01T10:00:00");
    http.patch(
        "/sync/todos/a",
        "{\"delta\":{\"n\":2},\"baseVersion\":1,\"timestamp\":\"2024-01-01T10:01:00\"}");
    SyncHttp.Res r =
        http.patch(
            "/sync/todos/a",
            "{\"delta\":{\"m\":5},\"baseVersion\":1,\"timestamp\":\"2024-01-01T10:02:00\"}");
    assertThat(r.status()).isEqualTo(200);
    JsonNode data = r.body().get("record").get("data");
    assertThat(data.get("n").intValue()).isEqualTo(2);
    assertThat(data.get("m").intValue()).isEqualTo(5);
    assertThat(r.body().get("record").get("version").longValue()).isEqualTo(3);
  }

  @Test
  void patch_staleBaseVersionUnderServerWins_isDroppedAndAnsweredWithStoredRecord() {
    push("central", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    http.patch("/sync/central/a", "{\"delta\":{\"n\":2},\"baseVersion\":1}");
    SyncHttp.Res r = http.patch("/sync/central/a", "{\"delta\":{\"n\":3},\"baseVersion\":1}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body().get("applied").booleanValue()).isFalse();
    assertThat(r.body().get("result").stringValue()).isEqualTo("ignored");
    assertThat(r.body().get("record").get("data").get("n").intValue()).isEqualTo(2);
  }

  @Test
  void patch_missingRecord_answers404RecordNotFound() {
    SyncHttp.Res r = http.patch("/sync/todos/nope", "{\"delta\":{\"n\":1}}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
  }

  @Test
  void delete_leavesTombstone_isIdempotent_andUnknownIs404() {
    push("todos", "a", "{}", "2024-01-01T10:00:00");
    SyncHttp.Res first = http.delete("/sync/todos/a");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.body().get("record").get("deleted").booleanValue()).isTrue();
    SyncHttp.Res again = http.delete("/sync/todos/a");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.body().get("result").stringValue()).isEqualTo("duplicate");
    assertThat(again.body().get("record").get("version").longValue()).isEqualTo(2);
    SyncHttp.Res unknown = http.delete("/sync/todos/never");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body().get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
    assertThat(http.get("/sync/todos/a").body().get("deleted").booleanValue()).isTrue();
  }

  @Test
  void getOne_unknown_answers404() {
    SyncHttp.Res r = http.get("/sync/todos/nope");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.body().get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
  }

  @Test
  void sameChangeIdTwice_appliesOnce() {
    String body = "{\"recordId\":\"a\",\"data\":{\"n\":1},\"changeId\":\"ch-1\"}";
    assertThat(http.post("/sync/todos", body).body().get("result").stringValue())
        .isEqualTo("applied");
    SyncHttp.Res again =
        http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{\"n\":9},\"changeId\":\"ch-1\"}");
    assertThat(again.body().get("result").stringValue()).isEqualTo("duplicate");
    assertThat(again.body().get("record").get("version").longValue()).isEqualTo(1);
    assertThat(http.get("/sync/todos/a").body().get("data").get("n").intValue()).isEqualTo(1);
  }

  @Test
  void pulledRecord_carriesTheChangeIdOfItsLastWrite_onlyWhenItHadOne() {
    http.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{\"n\":1},\"changeId\":\"ch-1\"}");
    push("todos", "b", "{\"n\":2}", "2024-01-01T10:00:00");
    JsonNode pulled = records("/sync/todos?cursor=0");
    assertThat(pulled.get(0).get("changeId").stringValue()).isEqualTo("ch-1");
    assertThat(pulled.get(1).has("changeId")).isFalse();
    http.delete("/sync/todos/a?changeId=ch-2");
    assertThat(http.get("/sync/todos/a").body().get("changeId").stringValue()).isEqualTo("ch-2");
    assertThat(records("/sync/todos?cursor=0").get(1).get("changeId").stringValue())
        .isEqualTo("ch-2");
  }

  @Test
  void sameDataAndTimestampTwice_appliesOnce() {
    push("todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    SyncHttp.Res again = push("todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    assertThat(again.body().get("result").stringValue()).isEqualTo("duplicate");
    assertThat(records("/sync/todos?cursor=0").get(0).get("version").longValue()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "POST|/sync/todos|{not json|400|INVALID_JSON",
        "POST|/sync/todos|[1,2]|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"data\":{}}|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"recordId\":5,\"data\":{}}|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"recordId\":\"a\",\"data\":\"text\"}|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"recordId\":\"a\",\"data\":{},\"timestamp\":\"yesterday\"}|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"recordId\":\"a\",\"data\":{},\"timestamp\":true}|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"recordId\":\"a\",\"data\":{},\"baseVersion\":\"1\"}|400|INVALID_REQUEST",
        "POST|/sync/todos|{\"recordId\":\"a\",\"data\":{},\"changeId\":7}|400|INVALID_REQUEST",
        "POST|/sync/bad%20name|{\"recordId\":\"a\",\"data\":{}}|400|INVALID_REQUEST",
        "POST|/sync/todos||400|INVALID_REQUEST",
        "PATCH|/sync/todos/a|{\"delta\":[1]}|400|INVALID_REQUEST",
        "PATCH|/sync/todos/a|{\"delta\":{},\"baseVersion\":-1}|400|INVALID_REQUEST",
        "GET|/sync/todos?limit=-1||400|INVALID_REQUEST",
        "GET|/sync/todos?cursor=abc||400|INVALID_REQUEST",
        "GET|/sync/todos?since=notatime||400|INVALID_REQUEST",
        "PUT|/sync/todos||405|METHOD_NOT_ALLOWED",
        "POST|/sync/todos/a|{}|405|METHOD_NOT_ALLOWED",
        "GET|/sync/todos/a/b||404|NOT_FOUND",
        "DELETE|/sync/todos/a?baseVersion=x||400|INVALID_REQUEST",
      })
  void badInput_answersJsonErrorAndChangesNothing(
      String method, String path, String body, int status, String code) {
    push("todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    SyncHttp.Res r = http.send(method, path, body);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.body().get("code").stringValue()).isEqualTo(code);
    assertThat(r.body().get("error").stringValue()).isNotEmpty();
    JsonNode all = records("/sync/todos?cursor=0");
    assertThat(all).hasSize(1);
    assertThat(all.get(0).get("version").longValue()).isEqualTo(1);
    assertThat(all.get(0).get("data").get("n").intValue()).isEqualTo(1);
  }

  @Test
  void oversizedBody_answers413PayloadTooLarge() {
    String big = "x".repeat(16 * 1024);
    byte[] body =
        ("{\"recordId\":\"a\",\"data\":{\"t\":\"" + big + "\"}}").getBytes(StandardCharsets.UTF_8);
    // The body limit is max(64 KiB, max-record-bytes + 4 KiB); this one passes the transport and
    // is refused as a record.
    SyncHttp.Res r = http.sendBytes("POST", "/sync/todos", body);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body().get("code").stringValue()).isEqualTo("PAYLOAD_TOO_LARGE");
    byte[] huge =
        ("{\"recordId\":\"a\",\"data\":{\"t\":\"" + "y".repeat(200 * 1024) + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    SyncHttp.Res refused = http.sendBytes("POST", "/sync/todos", huge);
    assertThat(refused.status()).isEqualTo(413);
    assertThat(refused.body().get("code").stringValue()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(http.get("/sync/todos/a").status()).isEqualTo(404);
  }

  @Test
  void patchThatGrowsRecordPastLimit_answers413() {
    push("todos", "a", "{\"t\":\"" + "x".repeat(3000) + "\"}", "2024-01-01T10:00:00");
    SyncHttp.Res r =
        http.patch("/sync/todos/a", "{\"delta\":{\"u\":\"" + "y".repeat(3000) + "\"}}");
    assertThat(r.status()).isEqualTo(413);
    assertThat(http.get("/sync/todos/a").body().get("version").longValue()).isEqualTo(1);
  }

  @Test
  void writes_areCountedByOutcomeInMetrics() {
    push("todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    push("todos", "a", "{\"n\":1}", "2024-01-01T10:00:00");
    push("todos", "a", "{\"n\":0}", "2023-01-01T10:00:00");
    String scrape = server.metrics().scrape();
    assertThat(scrape).contains("patchbay_collection_writes_total{result=\"applied\"} 1.0");
    assertThat(scrape).contains("patchbay_collection_writes_total{result=\"duplicate\"} 1.0");
    assertThat(scrape).contains("patchbay_collection_writes_total{result=\"ignored\"} 1.0");
  }
}
