package dev.patchbay.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrder;
import dev.patchbay.server.spi.VersionOrigin;
import dev.patchbay.server.spi.VersionQuery;
import dev.patchbay.server.store.DocStores;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Automatic versions (session gap, change count, offline sessions) and cold loads from them. */
class EngineVersioningTest {
  /**
   * Holds {@code shard} (for at most 10 s) until the returned latch is counted down, so the commits
   * submitted meanwhile queue up and form one batch.
   */
  static java.util.concurrent.CountDownLatch hold(java.util.concurrent.Executor shard) {
    java.util.concurrent.CountDownLatch latch = new java.util.concurrent.CountDownLatch(1);
    shard.execute(
        () -> {
          try {
            latch.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    return latch;
  }

  static final EngineListener QUIET =
      new EngineListener() {
        @Override
        public void changesCommitted(String docId, List<Change> changes, @Nullable String origin) {}

        @Override
        public void docDeleted(String docId, @Nullable String origin) {}
      };

  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private final DocStore store = DocStores.inMemory();
  private Engine engine = newEngine();

  private Engine newEngine() {
    return new Engine(
        store,
        new Engine.Settings(
            2, Duration.ofMinutes(30), 100, 100, List.of(), 1000, 1 << 20, 1L << 30),
        QUIET,
        now::get);
  }

  @AfterEach
  void close() {
    engine.close();
  }

  private void commit(String doc, String id, long createdAt) {
    IncomingChange change =
        new IncomingChange(
            id,
            null,
            null,
            List.of(PatchOp.of("@inc", "/n", Json.number(1))),
            createdAt,
            null,
            Map.of());
    engine.commitChanges(doc, List.of(change), false, "c1").orTimeout(10, TimeUnit.SECONDS).join();
  }

  private List<VersionMetadata> versions(String doc) {
    return engine
        .listVersions(doc, VersionQuery.orderBy(VersionOrder.END_REV))
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  // Queued commits are settled in batches, and only a batch's first commit may cut versions (the
  // rest of the tail is not durable yet). The commit that crossed a step was usually not a batch's
  // first, and versions stopped being cut: here every crossing falls inside a batch.
  @Test
  void batchedCommits_crossingInsideABatch_stillCutAVersionPerStep() throws Exception {
    java.util.concurrent.ExecutorService shard =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    Engine batched =
        new Engine(
            store,
            new Engine.Settings(
                1, Duration.ofMinutes(30), 100, 100, List.of(), 1000, 1 << 20, 1L << 30),
            QUIET,
            now::get,
            i -> shard);
    try {
      for (int round = 0; round < 50; round++) {
        java.util.concurrent.CountDownLatch hold = hold(shard);
        List<java.util.concurrent.CompletableFuture<CommitResult>> commits =
            new java.util.ArrayList<>();
        for (int j = 0; j < 7; j++) {
          IncomingChange change =
              new IncomingChange(
                  "b" + round + "-" + j,
                  null,
                  null,
                  List.of(PatchOp.of("@inc", "/n", Json.number(1))),
                  now.get(),
                  null,
                  Map.of());
          commits.add(batched.commitChanges("batched", List.of(change), false, "c1"));
        }
        hold.countDown();
        commits.forEach(c -> c.orTimeout(10, TimeUnit.SECONDS).join());
      }
      // 350 changes in batches of 1 and 6: the crossings of 100, 200 and 300 are inside batches.
      List<VersionMetadata> versions =
          batched
              .listVersions("batched", VersionQuery.orderBy(VersionOrder.END_REV))
              .orTimeout(10, TimeUnit.SECONDS)
              .join();
      // A crossing is found at the next batch's first commit, whose log is a few changes past the
      // multiple: the step that just filled is cut too (upstream cuts it one crossing later).
      assertThat(versions).extracting(VersionMetadata::endRev).containsExactly(100L, 200L, 300L);
      for (VersionMetadata v : versions) {
        assertThat(
                batched
                    .getVersionState("batched", v.id())
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join()
                    .path("n")
                    .asLong())
            .isEqualTo(v.endRev());
      }
    } finally {
      batched.close();
    }
  }

  // As upstream: a boundary crossing versions whole steps of the log before the commit, so the
  // version ending at rev 200 is cut by the commit that crosses 300.
  @Test
  void commitsCrossingTheCountBoundary_cutMainVersionsInSteps() {
    for (int i = 1; i <= 299; i++) {
      commit("count", "c" + i, now.get());
    }
    assertThat(versions("count")).extracting(VersionMetadata::endRev).containsExactly(100L);
    for (int i = 300; i <= 300; i++) {
      commit("count", "c" + i, now.get());
    }
    List<VersionMetadata> versions = versions("count");
    assertThat(versions).extracting(VersionMetadata::endRev).containsExactly(100L, 200L);
    assertThat(versions).allMatch(v -> v.origin() == VersionOrigin.MAIN);
    assertThat(versions.get(1).parentId()).isEqualTo(versions.get(0).id());
    assertThat(engine.getVersionState("count", versions.get(1).id()).join())
        .isEqualTo(Json.parse("{\"n\":200}"));
  }

  @Test
  void commitAfterASessionGap_versionsTheFinishedSession() {
    commit("gap", "a1", now.get());
    commit("gap", "a2", now.get());
    now.addAndGet(TimeUnit.MINUTES.toMillis(31));
    commit("gap", "b1", now.get());
    List<VersionMetadata> versions = versions("gap");
    assertThat(versions).hasSize(1);
    assertThat(versions.get(0).startRev()).isEqualTo(1);
    assertThat(versions.get(0).endRev()).isEqualTo(2);
    Snapshot doc = engine.getDoc("gap", null).join();
    assertThat(doc.state()).isEqualTo(Json.parse("{\"n\":2}"));
    assertThat(doc.rev()).isEqualTo(2);
    assertThat(doc.changes()).extracting(Change::id).containsExactly("b1");
  }

  @Test
  void offlineChanges_areVersionedAsAnOfflineSession() {
    commit("off", "o1", now.get() - TimeUnit.HOURS.toMillis(2));
    List<VersionMetadata> versions = versions("off");
    assertThat(versions).hasSize(1);
    assertThat(versions.get(0).offline()).isTrue();
  }

  @Test
  void coldEngine_loadsFromTheNewestVersionPlusTheChangesAfterIt() {
    for (int i = 1; i <= 230; i++) {
      commit("cold", "c" + i, now.get());
    }
    engine.close();
    engine = newEngine();
    Snapshot doc = engine.getDoc("cold", null).join();
    assertThat(doc.rev()).isEqualTo(100);
    assertThat(doc.state()).isEqualTo(Json.parse("{\"n\":100}"));
    assertThat(doc.changes()).extracting(Change::rev).first().isEqualTo(101L);
    assertThat(doc.changes()).extracting(Change::rev).last().isEqualTo(230L);
    assertThat(doc.changes()).hasSize(130);
  }
}
