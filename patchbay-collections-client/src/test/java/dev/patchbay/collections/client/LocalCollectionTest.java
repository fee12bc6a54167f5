package dev.patchbay.collections.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** Local-first CRUD, the outbox and the configuration, without a server (offline). */
class LocalCollectionTest {
  @TempDir Path dir;
  private String offlineUrl;
  private CollectionsClient client;
  private RecordCollection todos;

  static ObjectNode doc(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  /** A URL nothing listens on: bind a port, then free it. */
  static String closedPortUrl() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  private CollectionsClient open() {
    return CollectionsClient.builder()
        .baseUrl(offlineUrl)
        .dataDirectory(dir)
        .collections("todos", "notes")
        .autoSync(false)
        .requestTimeout(Duration.ofSeconds(5))
        .build();
  }

  @BeforeEach
  void start() throws IOException {
    offlineUrl = closedPortUrl();
    client = open();
    todos = client.collection("todos");
  }

  @AfterEach
  void stop() {
    client.close();
  }

  private List<String> texts(List<ObjectNode> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(r.path("text").asString("")));
    return out;
  }

  @Test
  void save_withoutId_returnsUuid_andGetReturnsACopy() {
    String id = todos.save(doc("{'text':'a','n':{'x':[1,2]}}"));
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    ObjectNode got = todos.get(id);
    assertThat(Json.equal(got, doc("{'text':'a','n':{'x':[1,2]}}"))).isTrue();
    got.put("text", "changed");
    assertThat(todos.get(id).get("text").stringValue()).isEqualTo("a");
  }

  @Test
  void save_existingId_replacesTheWholeRecord() {
    todos.save(doc("{'text':'a','done':false}"), "t1");
    todos.save(doc("{'text':'b'}"), "t1");
    assertThat(Json.write(todos.get("t1"))).isEqualTo("{\"text\":\"b\"}");
  }

  @Test
  void save_badId_isRejected() {
    assertThatThrownBy(() -> todos.save(doc("{}"), "a/b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> todos.save(doc("{}"), ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void update_changesOnlyTheGivenFields_nullRemoves() {
    todos.save(doc("{'text':'a','done':false,'tag':'x'}"), "t1");
    todos.update("t1", doc("{'done':true,'tag':null}"));
    assertThat(Json.write(todos.get("t1"))).isEqualTo("{\"text\":\"a\",\"done\":true}");
  }

  @Test
  void update_missingOrDeletedRecord_failsWith404() {
    assertThatThrownBy(() -> todos.update("nope", doc("{'a':1}")))
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("'nope' not found in collection 'todos'")
        .extracting(e -> ((PatchbayException) e).code())
        .isEqualTo(404);
    todos.save(doc("{'a':1}"), "t1");
    todos.delete("t1");
    assertThatThrownBy(() -> todos.update("t1", doc("{'a':2}")))
        .isInstanceOf(PatchbayException.class);
  }

  @Test
  void getAll_keepsInsertionOrder_andSkipsDeleted() {
    todos.save(doc("{'text':'a'}"), "1");
    todos.save(doc("{'text':'b'}"), "2");
    todos.save(doc("{'text':'c'}"), "3");
    todos.update("1", doc("{'text':'a2'}"));
    todos.delete("2");
    assertThat(texts(todos.getAll())).containsExactly("a2", "c");
    assertThat(todos.get("2")).isNull();
    assertThat(todos.get("missing")).isNull();
  }

  @Test
  void delete_isIdempotent_andMissingIsNoError() {
    todos.save(doc("{'text':'a'}"), "1");
    todos.delete("1");
    todos.delete("1");
    todos.delete("never");
    assertThat(client.pendingOperations())
        .extracting(PendingOperation::type)
        .containsExactly(OperationType.INSERT, OperationType.DELETE);
  }

  @Test
  void save_afterDelete_revivesTheRecord() {
    todos.save(doc("{'text':'a'}"), "1");
    todos.delete("1");
    todos.save(doc("{'text':'b'}"), "1");
    assertThat(todos.get("1").get("text").stringValue()).isEqualTo("b");
  }

  @Test
  void saveAll_idsInOrder_fromIdFieldOrNew_duplicatesLastWins() {
    List<String> ids =
        todos.saveAll(
            List.of(
                doc("{'id':'x','text':'1'}"), doc("{'text':'2'}"), doc("{'id':'x','text':'3'}")));
    assertThat(ids).hasSize(3);
    assertThat(ids.get(0)).isEqualTo("x");
    assertThat(ids.get(2)).isEqualTo("x");
    assertThat(todos.get("x").get("text").stringValue()).isEqualTo("3");
    assertThat(texts(todos.getAll())).containsExactly("3", "2");
  }

  @Test
  void saveAll_withOneBadRecord_savesNothing() {
    assertThatThrownBy(
            () -> todos.saveAll(List.of(doc("{'id':'ok','text':'1'}"), doc("{'id':'a/b'}"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(todos.getAll()).isEmpty();
    assertThat(client.pendingCount()).isZero();
  }

  @Test
  void saveAll_thousandRecords_oneTransaction() {
    List<ObjectNode> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(doc("{'i':" + i + "}"));
    }
    todos.saveAll(many);
    assertThat(todos.getAll()).hasSize(1000);
    assertThat(client.pendingCount()).isEqualTo(1000);
  }

  @Test
  void deleteAll_toleratesUnknownAndRepeatedIds() {
    todos.saveAll(List.of(doc("{'id':'a'}"), doc("{'id':'b'}"), doc("{'id':'c'}")));
    todos.deleteAll(List.of("a", "zz", "a", "c"));
    assertThat(todos.getAll()).hasSize(1);
    assertThat(todos.get("b")).isNotNull();
  }

  @Test
  void collections_areKeptApart() {
    todos.save(doc("{'text':'t'}"), "same");
    client.collection("notes").save(doc("{'text':'n'}"), "same");
    assertThat(todos.get("same").get("text").stringValue()).isEqualTo("t");
    assertThat(client.collection("notes").getAll()).hasSize(1);
    assertThatThrownBy(() -> client.collection("other"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not configured");
  }

  @Test
  void query_runsOverLiveLocalRecords() {
    todos.save(doc("{'text':'a','p':2}"));
    todos.save(doc("{'text':'b','p':1}"));
    String gone = todos.save(doc("{'text':'c','p':0}"));
    todos.delete(gone);
    assertThat(texts(todos.query().orderBy("p").get())).containsExactly("b", "a");
    assertThat(todos.where("p", Operator.GREATER_THAN, 1).count()).isEqualTo(1);
  }

  @Test
  void outbox_holdsEveryChangeInOrder_withItsType() {
    todos.save(doc("{'text':'a'}"), "1");
    todos.save(doc("{'text':'b'}"), "1");
    todos.update("1", doc("{'done':true}"));
    todos.delete("1");
    assertThat(client.pendingOperations())
        .extracting(PendingOperation::type)
        .containsExactly(
            OperationType.INSERT, OperationType.UPDATE, OperationType.PATCH, OperationType.DELETE);
    assertThat(client.pendingOperations())
        .allSatisfy(op -> assertThat(op.status()).isEqualTo(OperationStatus.PENDING));
    assertThat(todos.status("1")).isEqualTo(SyncStatus.PENDING);
    assertThat(todos.status("none")).isNull();
  }

  @Test
  void outboxAndRecords_surviveARestart() {
    todos.save(doc("{'text':'a'}"), "1");
    todos.update("1", doc("{'done':true}"));
    List<PendingOperation> before = client.pendingOperations();
    client.close();
    client = open();
    todos = client.collection("todos");
    assertThat(client.pendingOperations()).isEqualTo(before);
    assertThat(Json.write(todos.get("1"))).isEqualTo("{\"text\":\"a\",\"done\":true}");
  }

  @Test
  void build_secondClientOnTheSameDirectory_isRefusedUntilClosed() {
    assertThatThrownBy(this::open)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already open");
    client.close();
    client = open();
    assertThat(client.pendingCount()).isZero();
  }

  @Test
  void syncNow_offline_failsClearly_andDropsNothing() {
    todos.save(doc("{'text':'a'}"), "1");
    assertThatThrownBy(() -> client.syncNow().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("unreachable");
    assertThat(client.pendingOperations())
        .singleElement()
        .satisfies(
            op -> {
              assertThat(op.status()).isEqualTo(OperationStatus.PENDING);
              assertThat(op.retryCount()).isZero();
            });
  }

  @Test
  void closedClient_refusesWorkClearly() {
    client.close();
    assertThatThrownBy(() -> todos.save(doc("{}"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> client.syncNow().join())
        .hasCauseInstanceOf(IllegalStateException.class);
    client.close();
  }

  @Test
  void backoff_doublesFromTheBase_upToTheCap() {
    client.close();
    DefaultCollectionsClient c =
        (DefaultCollectionsClient)
            CollectionsClient.builder()
                .baseUrl(offlineUrl)
                .dataDirectory(dir)
                .collections("todos")
                .autoSync(false)
                .backoff(Duration.ofMillis(100), Duration.ofMillis(1000))
                .build();
    client = c;
    assertThat(List.of(c.backoff(1), c.backoff(2), c.backoff(3), c.backoff(4), c.backoff(5)))
        .containsExactly(
            Duration.ofMillis(100),
            Duration.ofMillis(200),
            Duration.ofMillis(400),
            Duration.ofMillis(800),
            Duration.ofMillis(1000));
  }

  @Test
  void build_invalidSettings_areRejectedByName() {
    client.close();
    assertThatThrownBy(() -> CollectionsClient.builder().dataDirectory(dir).build())
        .hasMessageContaining("baseUrl");
    assertThatThrownBy(
            () -> CollectionsClient.builder().baseUrl("ftp://x").dataDirectory(dir).build())
        .hasMessageContaining("http");
    assertThatThrownBy(() -> CollectionsClient.builder().baseUrl(offlineUrl).build())
        .hasMessageContaining("dataDirectory");
    assertThatThrownBy(
            () -> CollectionsClient.builder().baseUrl(offlineUrl).dataDirectory(dir).build())
        .hasMessageContaining("collections");
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl(offlineUrl)
                    .dataDirectory(dir)
                    .collections("bad name")
                    .build())
        .hasMessageContaining("bad name");
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl(offlineUrl)
                    .dataDirectory(dir)
                    .collections("a")
                    .syncInterval(Duration.ZERO)
                    .build())
        .hasMessageContaining("syncInterval");
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl(offlineUrl)
                    .dataDirectory(dir)
                    .collections("a")
                    .maxRetries(-1)
                    .build())
        .hasMessageContaining("maxRetries");
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl(offlineUrl)
                    .dataDirectory(dir)
                    .collections("a")
                    .backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))
                    .build())
        .hasMessageContaining("backoff");
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl(offlineUrl)
                    .dataDirectory(dir)
                    .collections("a")
                    .conflictResolver(ConflictResolvers.deepMerge())
                    .conflictStrategy(ConflictStrategy.SERVER_WINS)
                    .build())
        .hasMessageContaining("only with conflictStrategy CUSTOM");
    client = open();
  }

  @Test
  void changeTimes_comeFromTheConfiguredClock() {
    client.close();
    TestClock clock = new TestClock(Instant.parse("2024-01-01T10:00:00Z"));
    client =
        CollectionsClient.builder()
            .baseUrl(offlineUrl)
            .dataDirectory(dir)
            .collections("todos")
            .autoSync(false)
            .clock(clock)
            .build();
    client.collection("todos").save(doc("{}"), "1");
    assertThat(client.pendingOperations().get(0).timestamp())
        .isEqualTo(Instant.parse("2024-01-01T10:00:00Z"));
  }
}
