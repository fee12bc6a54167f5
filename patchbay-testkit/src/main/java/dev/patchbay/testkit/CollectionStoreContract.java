package dev.patchbay.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.DocStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link CollectionStore} keeps (the one a {@link DocStore#collections()}
 * returns). An implementation's test class extends this class and returns a fresh, empty store from
 * {@link #createStore(Clock)}; every test here then runs against its collections. Tests only use
 * the SPI, wait on futures with a timeout, and never sleep.
 */
public abstract class CollectionStoreContract {

  /** How long a test waits for one future before it fails. */
  protected static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The clock the store under test judges expiry by. */
  protected final ManualClock clock = new ManualClock(1_800_000_000_000L);

  private DocStore owner;

  /** The collection store under test, fresh for every test. */
  protected CollectionStore store;

  /** Returns a new, empty store (with collections) that reads time from {@code clock}. */
  protected abstract DocStore createStore(Clock clock) throws Exception;

  @BeforeEach
  final void openStore() throws Exception {
    owner = createStore(clock);
    store = owner.collections();
    assertThat(store).as("the store keeps collections").isNotNull();
  }

  @AfterEach
  final void closeStore() {
    if (owner != null) {
      owner.close();
    }
  }

  private static CollectionRecord rec(String collection, String id, long version, long seq) {
    return rec(collection, id, version, seq, false);
  }

  private static CollectionRecord rec(
      String collection, String id, long version, long seq, boolean deleted) {
    return new CollectionRecord(
        collection,
        id,
        deleted ? Json.object() : Json.parse("{\"v\":" + version + ",\"id\":\"" + id + "\"}"),
        version,
        seq,
        1_700_000_000_000L + seq,
        deleted,
        seq % 2 == 0 ? null : "user-" + seq);
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("store future did not complete in " + TIMEOUT, e);
    }
  }

  private void write(String collection, CollectionRecord... records) {
    await(store.write(collection, List.of(records), List.of(), clock.millis() + 60_000));
  }

  private static List<String> ids(List<CollectionRecord> records) {
    return records.stream().map(CollectionRecord::recordId).toList();
  }

  @Test
  public void unknownCollection_isEmpty() {
    assertThat(store.getRecord("c", "a")).isNull();
    assertThat(store.lastSeq("c")).isZero();
    assertThat(store.changesAfter("c", 0, 10)).isEmpty();
    assertThat(store.countLive("c")).isZero();
    assertThat(store.seenChangeIds("c", List.of("x"))).isEmpty();
  }

  @Test
  public void write_thenRead_keepsEveryComponent() {
    CollectionRecord a =
        new CollectionRecord(
            "c",
            "a/ü 1",
            Json.parse("{\"n\":[1,2.5,\"s\",null,true],\"o\":{\"x\":{}}}"),
            3,
            7,
            1_700_000_000_123L,
            false,
            "alice",
            "change-1");
    CollectionRecord b = rec("c", "b", 1, 8);
    write("c", a, b);
    assertThat(store.getRecord("c", "a/ü 1")).isEqualTo(a);
    assertThat(store.getRecord("c", "b")).isEqualTo(b);
    assertThat(store.lastSeq("c")).isEqualTo(8);
    assertThat(store.countLive("c")).isEqualTo(2);
  }

  @Test
  public void write_sameRecordAgain_replacesItAndMovesItToTheFeedEnd() {
    write("c", rec("c", "a", 1, 1), rec("c", "b", 1, 2));
    write("c", rec("c", "a", 2, 3));
    assertThat(ids(store.changesAfter("c", 0, 10))).containsExactly("b", "a");
    assertThat(ids(store.changesAfter("c", 2, 10))).containsExactly("a");
    assertThat(store.getRecord("c", "a").version()).isEqualTo(2);
    assertThat(store.countLive("c")).isEqualTo(2);
  }

  @Test
  public void write_sameRecordTwiceInOneBatch_keepsTheLater() {
    write("c", rec("c", "a", 1, 1), rec("c", "a", 2, 2));
    assertThat(store.changesAfter("c", 0, 10)).containsExactly(rec("c", "a", 2, 2));
  }

  @Test
  public void tombstone_staysInFeedButNotInLiveCount() {
    write("c", rec("c", "a", 1, 1), rec("c", "b", 1, 2));
    write("c", rec("c", "a", 2, 3, true));
    assertThat(store.countLive("c")).isEqualTo(1);
    List<CollectionRecord> feed = store.changesAfter("c", 0, 10);
    assertThat(ids(feed)).containsExactly("b", "a");
    assertThat(feed.get(1).deleted()).isTrue();
    assertThat(feed.get(1).data().isEmpty()).isTrue();
    write("c", rec("c", "a", 3, 4));
    assertThat(store.countLive("c")).isEqualTo(2);
  }

  @Test
  public void changesAfter_respectsLimitAndOrder() {
    List<CollectionRecord> many = new ArrayList<>();
    for (int i = 1; i <= 25; i++) {
      many.add(rec("c", "r" + i, 1, i * 2L));
    }
    await(store.write("c", many, List.of(), clock.millis() + 1000));
    List<CollectionRecord> page = store.changesAfter("c", 10, 5);
    assertThat(page).extracting(CollectionRecord::seq).containsExactly(12L, 14L, 16L, 18L, 20L);
    assertThat(store.changesAfter("c", 50, 5)).isEmpty();
    assertThatThrownBy(() -> store.changesAfter("c", 0, 0))
        .isInstanceOf(PatchbayException.class)
        .extracting(e -> ((PatchbayException) e).code())
        .isEqualTo(400);
  }

  @Test
  public void write_seqNotAfterLastSeq_fails409AndStoresNothing() {
    write("c", rec("c", "a", 1, 5));
    CompletableFuture<Void> stale =
        store.write(
            "c", List.of(rec("c", "b", 1, 6), rec("c", "c", 1, 5)), List.of("id"), Long.MAX_VALUE);
    assertThatThrownBy(() -> await(stale))
        .isInstanceOf(PatchbayException.class)
        .extracting(e -> ((PatchbayException) e).code())
        .isEqualTo(409);
    assertThat(store.getRecord("c", "b")).isNull();
    assertThat(store.lastSeq("c")).isEqualTo(5);
    assertThat(store.seenChangeIds("c", List.of("id"))).isEmpty();
  }

  @Test
  public void write_emptyOrForeignBatch_fails400() {
    assertThatThrownBy(() -> await(store.write("c", List.of(), List.of(), 0)))
        .isInstanceOf(PatchbayException.class);
    assertThatThrownBy(() -> await(store.write("c", List.of(rec("d", "a", 1, 1)), List.of(), 0)))
        .isInstanceOf(PatchbayException.class)
        .extracting(e -> ((PatchbayException) e).code())
        .isEqualTo(400);
    assertThat(store.lastSeq("c")).isZero();
  }

  @Test
  public void collections_areIndependent() {
    write("c", rec("c", "a", 1, 1));
    write("d", rec("d", "a", 1, 1));
    write("d", rec("d", "b", 1, 2));
    assertThat(store.lastSeq("c")).isEqualTo(1);
    assertThat(store.lastSeq("d")).isEqualTo(2);
    assertThat(ids(store.changesAfter("c", 0, 10))).containsExactly("a");
    assertThat(store.getRecord("c", "b")).isNull();
  }

  @Test
  public void changeIds_rememberedUntilExpiry() {
    long expiry = clock.millis() + 60_000;
    await(store.write("c", List.of(rec("c", "a", 1, 1)), List.of("x", "y"), expiry));
    assertThat(store.seenChangeIds("c", List.of("x", "y", "z"))).isEqualTo(Set.of("x", "y"));
    assertThat(store.seenChangeIds("other", List.of("x"))).isEmpty();
    clock.advance(Duration.ofSeconds(61));
    assertThat(store.seenChangeIds("c", List.of("x", "y"))).isEmpty();
    await(store.write("c", List.of(rec("c", "a", 2, 2)), List.of("x"), clock.millis() + 1000));
    assertThat(store.seenChangeIds("c", List.of("x", "y"))).isEqualTo(Set.of("x"));
  }

  @Test
  public void concurrentWritersOfDifferentCollections_allLand() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        String collection = "c" + w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 1; i <= 50; i++) {
                    write(collection, rec(collection, "r" + i, 1, i));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int w = 0; w < 4; w++) {
      assertThat(store.lastSeq("c" + w)).isEqualTo(50);
      assertThat(store.countLive("c" + w)).isEqualTo(50);
    }
  }

  @Test
  public void purgeTombstones_removesOnlyOldTombstonesAndRaisesTheHorizon() {
    // updatedAt is 1_700_000_000_000 + seq.
    write("c", rec("c", "a", 1, 1), rec("c", "b", 1, 2), rec("c", "c", 1, 3));
    write("c", rec("c", "a", 2, 4, true), rec("c", "b", 2, 5, true));
    write("d", rec("d", "x", 1, 1, true));
    assertThat(store.purgedThrough("c")).isZero();
    assertThat(await(store.purgeTombstones("c", 1_700_000_000_005L))).isEqualTo(1);
    assertThat(store.purgedThrough("c")).isEqualTo(4);
    assertThat(store.getRecord("c", "a")).isNull();
    assertThat(store.getRecord("c", "b").deleted()).isTrue();
    assertThat(ids(store.changesAfter("c", 0, 10))).containsExactly("c", "b");
    assertThat(store.lastSeq("c")).isEqualTo(5);
    assertThat(store.countLive("c")).isEqualTo(1);
    assertThat(await(store.purgeTombstones("c", Long.MAX_VALUE))).isEqualTo(1);
    assertThat(store.purgedThrough("c")).isEqualTo(5);
    assertThat(await(store.purgeTombstones("c", Long.MAX_VALUE))).isZero();
    assertThat(store.purgedThrough("c")).isEqualTo(5);
    assertThat(store.purgedThrough("d")).isZero();
    assertThat(await(store.purgeTombstones("never", Long.MAX_VALUE))).isZero();
    // A purged record written again starts over; the feed goes on after lastSeq.
    write("c", rec("c", "a", 1, 6));
    assertThat(ids(store.changesAfter("c", 5, 10))).containsExactly("a");
  }

  @Test
  public void collectionNames_listsWrittenCollections() {
    assertThat(store.collectionNames()).isEmpty();
    write("c", rec("c", "a", 1, 1));
    write("d", rec("d", "a", 1, 1));
    assertThat(store.collectionNames()).containsExactlyInAnyOrder("c", "d");
  }
}
