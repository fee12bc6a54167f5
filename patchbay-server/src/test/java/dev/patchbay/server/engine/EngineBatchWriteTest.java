package dev.patchbay.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.DuplicateChangeIdException;
import dev.patchbay.server.spi.RevConflictException;
import dev.patchbay.server.store.DocStores;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commits of one batch reach the store as one conditional write, and a failed write is settled
 * per commit: a duplicate id is learned by the commit that sent it, every commit of the batch is
 * recomputed from the reloaded store, and each change is stored exactly once. The document's shard
 * runs on an executor this test holds back, so batches form deterministically.
 */
class EngineBatchWriteTest {
  private static final String DOC = "doc";
  private final ExecutorService shard =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "patchbay-doc-test"));
  private final DocStore memory = DocStores.inMemory();

  /** Every conditional save: how many changes it carried. */
  private final List<Integer> saves = new CopyOnWriteArrayList<>();

  /** Fails the next conditional save of more than one change with this, without writing. */
  private final AtomicReference<@Nullable RuntimeException> failNext = new AtomicReference<>();

  /** How many changes the store has returned from listChanges. */
  private final AtomicLong changesRead = new AtomicLong();

  private Engine engine;

  @BeforeEach
  void start() {
    DocStore store =
        (DocStore)
            Proxy.newProxyInstance(
                DocStore.class.getClassLoader(),
                new Class<?>[] {DocStore.class},
                (proxy, method, args) -> intercept(method, args));
    engine =
        new Engine(
            store,
            new Engine.Settings(
                1, Duration.ofMinutes(30), 1000, 100, List.of(), 10_000, 1 << 20, 1L << 30),
            EngineVersioningTest.QUIET,
            System::currentTimeMillis,
            i -> shard);
  }

  private Object intercept(Method method, Object[] args) throws Throwable {
    if (method.getName().equals("saveChanges") && args.length == 3) {
      @SuppressWarnings("unchecked")
      List<Change> changes = (List<Change>) args[2];
      saves.add(changes.size());
      RuntimeException failure = changes.size() > 1 ? failNext.getAndSet(null) : null;
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
    }
    try {
      Object result = method.invoke(memory, args);
      if (method.getName().equals("listChanges")) {
        changesRead.addAndGet(((List<?>) result).size());
      }
      return result;
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @AfterEach
  void stop() {
    engine.close();
  }

  @Test
  void commitsQueuedTogether_areOneWrite() throws Exception {
    commit("c0", 0, "/c").get(5, TimeUnit.SECONDS);
    List<CompletableFuture<CommitResult>> batch = queuedTogether("a", "b", "c");

    for (CompletableFuture<CommitResult> f : batch) {
      assertThat(f.get(5, TimeUnit.SECONDS).changes()).isNotEmpty();
    }
    assertThat(saves).containsExactly(1, 1, 3);
    assertThat(storedIds()).containsExactly("c0", "lead", "a", "b", "c");
  }

  @Test
  void failedBatchWrite_recomputesEveryCommitOfIt() throws Exception {
    commit("c0", 0, "/c").get(5, TimeUnit.SECONDS);
    failNext.set(new RevConflictException(DOC, List.of(2L)));
    List<CompletableFuture<CommitResult>> batch = queuedTogether("a", "b", "c");

    for (CompletableFuture<CommitResult> f : batch) {
      assertThat(f.get(5, TimeUnit.SECONDS).changes()).isNotEmpty();
    }
    assertThat(saves).containsExactly(1, 1, 3, 3);
    assertThat(storedIds()).containsExactly("c0", "lead", "a", "b", "c");
  }

  @Test
  void duplicateIdInBatchWrite_isLearnedByItsCommit_othersAreRecomputed() throws Exception {
    commit("c0", 0, "/c").get(5, TimeUnit.SECONDS);
    // The store says b's change is already committed (as it would for one older than the tail).
    failNext.set(new DuplicateChangeIdException(DOC, List.of("b")));
    List<CompletableFuture<CommitResult>> batch = queuedTogether("a", "b", "c");

    for (CompletableFuture<CommitResult> f : batch) {
      f.get(5, TimeUnit.SECONDS); // none fails
    }
    assertThat(saves).containsExactly(1, 1, 3, 2);
    // b is not sent again; a and c are stored once each, after the recompute.
    assertThat(storedIds()).containsExactly("c0", "lead", "a", "c");
  }

  /**
   * Commits far behind carry long catch-ups, held in memory until their batch is written: a batch
   * stops taking commits once it holds {@link Engine#MAX_BATCH_CATCH_UP} catch-up changes, and the
   * rest form the next batch.
   */
  @Test
  void commitsFarBehind_splitIntoBatchesOfBoundedCatchUp() throws Exception {
    int history = Engine.MAX_BATCH_CATCH_UP * 3 / 5; // one catch-up fits, two pass the budget
    long now = System.currentTimeMillis();
    List<Change> old = new ArrayList<>();
    for (int rev = 1; rev <= history; rev++) {
      old.add(
          new Change(
              "h" + rev,
              rev - 1,
              rev,
              List.of(PatchOp.add("/h", Json.number(rev))),
              now,
              now,
              null,
              null,
              Map.of()));
    }
    memory.saveChanges(DOC, old).get(5, TimeUnit.SECONDS);
    List<CompletableFuture<CommitResult>> behind = queuedTogether("a", "b", "c");

    for (CompletableFuture<CommitResult> f : behind) {
      assertThat(f.get(30, TimeUnit.SECONDS).changes()).hasSizeGreaterThan(history - 1);
    }
    assertThat(saves).containsExactly(1, 2, 1); // the lead alone, then a and b, then c
    assertThat(storedIds()).endsWith("lead", "a", "b", "c");
  }

  /**
   * A range that begins below the changes the document keeps in memory takes only its older part
   * from the store: before, the whole range was read back and parsed (a version cut, a step behind
   * the head, read a thousand changes for the few below the tail).
   */
  @Test
  void changesFromBelowTheTail_onlyTheOlderPartIsReadFromTheStore() throws Exception {
    int total = OtDoc.MAX_TAIL + 500;
    for (int i = 0; i < total; i++) {
      commit("s" + i, i, "/k" + (i % 10)).get(5, TimeUnit.SECONDS);
    }
    changesRead.set(0);

    List<Change> since = engine.getChangesSince(DOC, 100).get(5, TimeUnit.SECONDS);

    assertThat(since).extracting(Change::rev).isEqualTo(revs(101, total));
    assertThat(since).isEqualTo(memory.listChanges(DOC, 100));
    assertThat(changesRead.get()).isEqualTo(total - OtDoc.MAX_TAIL - 100);
  }

  private static List<Long> revs(long from, long to) {
    List<Long> revs = new ArrayList<>();
    for (long r = from; r <= to; r++) {
      revs.add(r);
    }
    return revs;
  }

  /**
   * Queues a lead commit and then {@code ids} (each on revision 1) behind a held shard: the lead
   * runs alone, and the others queue behind its write and form one batch.
   */
  private List<CompletableFuture<CommitResult>> queuedTogether(String... ids) throws Exception {
    // Let the previous commit's step finish first (its resume is queued on the shard).
    shard.submit(() -> {}).get(5, TimeUnit.SECONDS);
    CountDownLatch release = EngineVersioningTest.hold(shard);
    CompletableFuture<CommitResult> lead = commit("lead", 1, "/lead");
    List<CompletableFuture<CommitResult>> results = new ArrayList<>();
    for (String id : ids) {
      results.add(commit(id, 1, "/" + id));
    }
    release.countDown();
    lead.get(5, TimeUnit.SECONDS);
    return results;
  }

  private CompletableFuture<CommitResult> commit(String id, long baseRev, String path) {
    IncomingChange change =
        new IncomingChange(
            id,
            baseRev,
            baseRev + 1,
            List.of(PatchOp.add(path, Json.number(1))),
            System.currentTimeMillis(),
            null,
            Map.of());
    return engine.commitChanges(DOC, List.of(change), false, "conn-" + id);
  }

  private List<String> storedIds() {
    List<String> ids = new ArrayList<>();
    for (Change c : memory.listChanges(DOC, 0)) {
      ids.add(c.id());
    }
    return ids;
  }
}
