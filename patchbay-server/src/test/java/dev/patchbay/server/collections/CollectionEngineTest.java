package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.collections.WriteOutcome.Result;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.store.DocStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The collection engine against the in-memory store: the conflict vectors of SyncLayer's tests
 * (Part A4) that concern a server, the change-id and content deduplication, and the feed's order.
 *
 * <p>A4 is written from a client: "local" is the client's copy, "remote" the server's. Here the
 * server's stored record meets a pushed one; last-write-wins keeps the newer timestamp and, on a
 * tie, the copy that arrives at the resolver (SyncLayer's client takes the incoming remote copy;
 * the server takes the incoming push, the later arrival).
 */
class CollectionEngineTest {
  private static final long T1000 = Instant.parse("2024-01-01T10:00:00Z").toEpochMilli();
  private static final long T1005 = Instant.parse("2024-01-01T10:05:00Z").toEpochMilli();
  private static final long T1010 = Instant.parse("2024-01-01T10:10:00Z").toEpochMilli();
  private static final String LOCAL = "{\"text\":\"Local version\",\"done\":true}";
  private static final String REMOTE = "{\"text\":\"Remote version\",\"done\":false}";

  private CollectionStore store;
  private CollectionEngine engine;
  private final List<CollectionEngine.Committed> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    store = DocStores.inMemory().collections();
    engine =
        new CollectionEngine(
            store,
            CollectionRules.parse(List.of("sw-*=server-wins", "rj-*=reject")),
            new CollectionEngine.Settings(2, 100_000, 1 << 20, 60_000),
            (collection, changes) -> heard.addAll(changes),
            () -> T1000);
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  private WriteOutcome put(
      String c, String id, String data, @Nullable Long ts, @Nullable Long base) {
    return write(
        new WriteRequest(
            WriteRequest.Kind.PUT,
            c,
            id,
            (ObjectNode) Json.parse(data),
            ts,
            base,
            null,
            null,
            "u"));
  }

  private WriteOutcome write(WriteRequest r) {
    return engine.write(r).orTimeout(10, TimeUnit.SECONDS).join();
  }

  private String text(String c, String id) {
    return store.getRecord(c, id).data().get("text").stringValue();
  }

  @Test
  void lww_newerPushWins() {
    put("todos", "a", LOCAL, T1000, null);
    assertThat(put("todos", "a", REMOTE, T1005, null).result()).isEqualTo(Result.APPLIED);
    assertThat(text("todos", "a")).isEqualTo("Remote version");
  }

  @Test
  void lww_olderPushLoses() {
    put("todos", "a", LOCAL, T1010, null);
    WriteOutcome o = put("todos", "a", REMOTE, T1005, null);
    assertThat(o.result()).isEqualTo(Result.IGNORED);
    assertThat(o.record().data().get("text").stringValue()).isEqualTo("Local version");
    assertThat(text("todos", "a")).isEqualTo("Local version");
  }

  @Test
  void lww_tie_goesToTheLaterArrival() {
    put("todos", "a", "{\"text\":\"Local version\"}", T1000, null);
    assertThat(put("todos", "a", "{\"text\":\"Remote version\"}", T1000, null).result())
        .isEqualTo(Result.APPLIED);
    assertThat(text("todos", "a")).isEqualTo("Remote version");
    assertThat(store.getRecord("todos", "a").version()).isEqualTo(2);
  }

  @Test
  void serverWins_storedRecordWinsOverANewerConflictingPush() {
    put("sw-todos", "a", REMOTE, T1005, null);
    WriteOutcome o = put("sw-todos", "a", LOCAL, T1010, null);
    assertThat(o.result()).isEqualTo(Result.IGNORED);
    assertThat(text("sw-todos", "a")).isEqualTo("Remote version");
    assertThat(put("sw-todos", "a", LOCAL, T1010, 0L).result()).isEqualTo(Result.IGNORED);
    assertThat(put("sw-todos", "a", LOCAL, T1010, 1L).result()).isEqualTo(Result.APPLIED);
    assertThat(text("sw-todos", "a")).isEqualTo("Local version");
  }

  @Test
  void reject_conflictingPushIsRefusedWithTheStoredRecord() {
    put("rj-todos", "a", REMOTE, T1005, null);
    WriteOutcome o = put("rj-todos", "a", LOCAL, T1010, null);
    assertThat(o.result()).isEqualTo(Result.CONFLICT);
    assertThat(o.record().version()).isEqualTo(1);
    assertThat(put("rj-todos", "a", LOCAL, T1010, 1L).result()).isEqualTo(Result.APPLIED);
  }

  /**
   * SyncLayer's engine vector: value 1 synced by both devices; device B pushes 3; device A, still
   * at version 1, pushes 2 later. LWW keeps A's newer 2, server-wins keeps 3, reject refuses A
   * until it pushes against version 2.
   */
  @Test
  void engineVector_pushAfterAnotherDevicesPush_perRule() {
    for (String c : List.of("todos", "sw-todos", "rj-todos")) {
      put(c, "r", "{\"value\":1}", T1000, null);
      put(c, "r", "{\"value\":3}", T1005, 1L);
    }
    assertThat(put("todos", "r", "{\"value\":2}", T1010, 1L).result()).isEqualTo(Result.APPLIED);
    assertThat(put("sw-todos", "r", "{\"value\":2}", T1010, 1L).result()).isEqualTo(Result.IGNORED);
    assertThat(put("rj-todos", "r", "{\"value\":2}", T1010, 1L).result())
        .isEqualTo(Result.CONFLICT);
    assertThat(store.getRecord("todos", "r").data().get("value").intValue()).isEqualTo(2);
    assertThat(store.getRecord("sw-todos", "r").data().get("value").intValue()).isEqualTo(3);
    assertThat(store.getRecord("rj-todos", "r").data().get("value").intValue()).isEqualTo(3);
    assertThat(put("rj-todos", "r", "{\"value\":2}", T1010, 2L).result()).isEqualTo(Result.APPLIED);
  }

  @Test
  void deleteThenOlderPut_underLww_staysDeleted() {
    put("todos", "a", "{}", T1000, null);
    write(
        new WriteRequest(
            WriteRequest.Kind.DELETE, "todos", "a", null, T1005, null, null, null, "u"));
    assertThat(put("todos", "a", "{\"x\":1}", T1000 + 1, null).result()).isEqualTo(Result.IGNORED);
    assertThat(store.getRecord("todos", "a").deleted()).isTrue();
    assertThat(put("todos", "a", "{\"x\":1}", T1010, null).result()).isEqualTo(Result.APPLIED);
    assertThat(store.getRecord("todos", "a").version()).isEqualTo(3);
  }

  /**
   * Two devices delete, then a write made between the two deletes arrives: under LWW the later
   * delete decides. Kept at the first delete's time, the tombstone would let that write revive the
   * record.
   */
  @Test
  void secondDeleteLater_thenWriteBetweenTheDeletes_underLww_staysDeleted() {
    put("todos", "a", "{}", T1000, null);
    assertThat(delete("todos", "a", T1005).result()).isEqualTo(Result.APPLIED);
    WriteOutcome later = delete("todos", "a", T1010);
    assertThat(later.result()).isEqualTo(Result.APPLIED);
    assertThat(later.record().version()).isEqualTo(3);
    assertThat(later.record().updatedAt()).isEqualTo(T1010);
    assertThat(put("todos", "a", "{\"x\":1}", T1005 + 1, null).result()).isEqualTo(Result.IGNORED);
    assertThat(store.getRecord("todos", "a").deleted()).isTrue();
    // An earlier or untimed delete of the tombstone stays a duplicate (SyncLayer deletes twice).
    assertThat(delete("todos", "a", T1005).result()).isEqualTo(Result.DUPLICATE);
    assertThat(delete("todos", "a", null).result()).isEqualTo(Result.DUPLICATE);
    // Other rules keep the first tombstone.
    put("sw-todos", "a", "{}", T1000, null);
    delete("sw-todos", "a", T1005);
    assertThat(delete("sw-todos", "a", T1010).result()).isEqualTo(Result.DUPLICATE);
  }

  private WriteOutcome delete(String c, String id, @Nullable Long ts) {
    return write(
        new WriteRequest(WriteRequest.Kind.DELETE, c, id, null, ts, null, null, null, "u"));
  }

  @Test
  void concurrentWrites_takeDenseSequenceNumbersHeardInOrder() {
    List<CompletableFuture<WriteOutcome>> all = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      all.add(
          engine.write(
              new WriteRequest(
                  WriteRequest.Kind.PUT,
                  "feed",
                  "r" + (i % 500),
                  (ObjectNode) Json.parse("{\"i\":" + i + "}"),
                  T1000,
                  null,
                  null,
                  null,
                  "u")));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .orTimeout(30, TimeUnit.SECONDS)
        .join();
    assertThat(store.lastSeq("feed")).isEqualTo(2000);
    List<Long> seqs = heard.stream().map(c -> c.record().seq()).toList();
    assertThat(seqs).hasSize(2000);
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).isEqualTo(i + 1L);
    }
    List<CollectionRecord> feed = store.changesAfter("feed", 0, 1000);
    assertThat(feed).hasSize(500);
    assertThat(feed).allSatisfy(r -> assertThat(r.version()).isEqualTo(4));
  }
}
