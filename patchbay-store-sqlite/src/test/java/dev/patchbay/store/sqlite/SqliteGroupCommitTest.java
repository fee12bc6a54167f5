package dev.patchbay.store.sqlite;

import static dev.patchbay.store.sqlite.Fixtures.TIMEOUT;
import static dev.patchbay.store.sqlite.Fixtures.await;
import static dev.patchbay.store.sqlite.Fixtures.change;
import static dev.patchbay.store.sqlite.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.spi.LwwWrite;
import dev.patchbay.server.spi.RevConflictException;
import dev.patchbay.server.spi.Tombstone;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit, observed through the writer's transaction counter rather than through timing: the
 * writer is parked at a gate while writes queue up, then released.
 */
class SqliteGroupCommitTest {
  @TempDir Path dataDirectory;

  private SqliteDocStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private SqliteDocStore open(SqliteStores.Builder builder) {
    store = (SqliteDocStore) builder.open();
    return store;
  }

  private SqliteDocStore open() {
    return open(SqliteStores.builder(dataDirectory));
  }

  @Test
  void queuedWrites_ofEveryKind_commitInOneTransaction() throws Exception {
    open();
    long before = store.transactionCount();
    SqliteWriter.Gate gate = store.pauseWriter();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    writes.add(store.saveChanges("d", List.of(change("c1", 1))));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    for (int rev = 2; rev <= 10; rev++) {
      writes.add(store.saveChanges("d", List.of(change("c" + rev, rev))));
    }
    for (int doc = 0; doc < 10; doc++) {
      writes.add(store.saveChanges("doc" + doc, List.of(change("x", 1))));
    }
    writes.add(store.saveLwwOps("l", LwwWrite.of(List.of(PatchOp.remove("/a")))));
    writes.add(store.createTombstone(new Tombstone("t", 1, 1, null, null)));

    gate.release();
    for (CompletableFuture<?> write : writes) {
      await(write);
    }

    assertThat(store.transactionCount() - before).isEqualTo(1);
    assertThat(store.currentRev("d")).isEqualTo(10);
    assertThat(store.currentRev("doc9")).isEqualTo(1);
    assertThat(store.lwwRev("l")).isEqualTo(1);
  }

  @Test
  void queuedWrites_beyondTheBatchCap_commitInSeveralTransactions() throws Exception {
    open(SqliteStores.builder(dataDirectory).maxBatchSize(4));
    long before = store.transactionCount();
    SqliteWriter.Gate gate = store.pauseWriter();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    writes.add(store.saveChanges("d", List.of(change("c1", 1))));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    for (int rev = 2; rev <= 10; rev++) {
      writes.add(store.saveChanges("d", List.of(change("c" + rev, rev))));
    }

    gate.release();
    for (CompletableFuture<Void> write : writes) {
      await(write);
    }

    // 1 + 9 writes at most 4 per transaction: [1..4], [5..8], [9, 10].
    assertThat(store.transactionCount() - before).isEqualTo(3);
    assertThat(store.currentRev("d")).isEqualTo(10);
  }

  @Test
  void oneConflictingWrite_failsAloneAndTheBatchStillCommitsOnce() throws Exception {
    open();
    long before = store.transactionCount();
    SqliteWriter.Gate gate = store.pauseWriter();
    CompletableFuture<Void> first = store.saveChanges("d", List.of(change("a", 1)));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    CompletableFuture<Void> conflicting =
        store.saveChanges("d", List.of(change("b", 2), change("x", 1)));
    CompletableFuture<Void> third = store.saveChanges("d", List.of(change("c", 2)));

    gate.release();

    await(first);
    assertThat(failure(conflicting)).isInstanceOf(RevConflictException.class);
    await(third);
    assertThat(store.transactionCount() - before).isEqualTo(1);
    assertThat(store.listChanges("d", 0)).extracting(c -> c.id()).containsExactly("a", "c");
  }

  @Test
  void failedCommit_fallsBackToOneTransactionPerWrite() throws Exception {
    open();
    AtomicBoolean failedOnce = new AtomicBoolean();
    store.commitHook(
        () -> {
          if (failedOnce.compareAndSet(false, true)) {
            throw new SQLException("simulated commit failure");
          }
        });
    long before = store.transactionCount();
    SqliteWriter.Gate gate = store.pauseWriter();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    writes.add(store.saveChanges("d1", List.of(change("a", 1))));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    writes.add(store.saveChanges("d2", List.of(change("a", 1))));
    writes.add(store.saveChanges("d3", List.of(change("a", 1))));

    gate.release();
    for (CompletableFuture<Void> write : writes) {
      await(write);
    }

    assertThat(failedOnce).isTrue();
    assertThat(store.transactionCount() - before).isEqualTo(3);
    assertThat(store.currentRev("d1") + store.currentRev("d2") + store.currentRev("d3"))
        .isEqualTo(3);
  }

  @Test
  void commitThatAlwaysFails_failsEachWriteWith500AndWritesNothing() throws Exception {
    open();
    store.commitHook(
        () -> {
          throw new SQLException("disk on fire");
        });
    SqliteWriter.Gate gate = store.pauseWriter();
    CompletableFuture<Void> first = store.saveChanges("d", List.of(change("a", 1)));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    CompletableFuture<Long> second = store.saveLwwOps("l", LwwWrite.of(List.of()));

    gate.release();

    for (CompletableFuture<?> write : List.of(first, second)) {
      Throwable error = failure(write);
      assertThat(error).isInstanceOf(PatchbayException.class);
      assertThat(((PatchbayException) error).code()).isEqualTo(500);
    }
    assertThat(store.currentRev("d")).isZero();
    assertThat(store.lwwRev("l")).isZero();

    store.commitHook(null);
    await(store.saveChanges("d", List.of(change("a", 1))));
    assertThat(store.currentRev("d")).isEqualTo(1);
  }

  @Test
  void fullQueue_failsTheWriteWith503WithoutWaiting() throws Exception {
    open(SqliteStores.builder(dataDirectory).writeQueueCapacity(2).enqueueTimeout(Duration.ZERO));
    SqliteWriter.Gate gate = store.pauseWriter();
    CompletableFuture<Void> taken = store.saveChanges("d", List.of(change("a", 1)));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    CompletableFuture<Void> queued1 = store.saveChanges("d", List.of(change("b", 2)));
    CompletableFuture<Void> queued2 = store.saveChanges("d", List.of(change("c", 3)));

    CompletableFuture<Void> rejected = store.saveChanges("d", List.of(change("z", 4)));

    assertThat(rejected).isCompletedExceptionally();
    Throwable error = failure(rejected);
    assertThat(((PatchbayException) error).code()).isEqualTo(503);
    gate.release();
    await(taken);
    await(queued1);
    await(queued2);
    assertThat(store.currentRev("d")).isEqualTo(3);
  }

  @Test
  void close_commitsEveryQueuedWriteFirst() throws Exception {
    open();
    SqliteWriter.Gate gate = store.pauseWriter();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    writes.add(store.saveChanges("d", List.of(change("c1", 1))));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    for (int rev = 2; rev <= 20; rev++) {
      writes.add(store.saveChanges("d", List.of(change("c" + rev, rev))));
    }

    CompletableFuture<Void> closing = CompletableFuture.runAsync(store::close);
    gate.release();
    closing.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

    for (CompletableFuture<Void> write : writes) {
      assertThat(write).isCompletedWithValue(null);
    }
    Throwable late = failure(store.saveChanges("d", List.of(change("late", 21))));
    assertThat(((PatchbayException) late).code()).isEqualTo(503);
    try (DocStore reopened = SqliteStores.builder(dataDirectory).open()) {
      assertThat(reopened.currentRev("d")).isEqualTo(20);
    }
  }

  @Test
  void writerThread_isOneNamedDaemonAndCompletesFuturesAfterCommit() throws Exception {
    open();
    SqliteWriter.Gate gate = store.pauseWriter();
    CompletableFuture<Void> write = store.saveChanges("d", List.of(change("a", 1)));
    assertThat(gate.awaitParked(TIMEOUT)).isTrue();
    // Attached before the commit, so it runs on the thread that completes the future.
    CompletableFuture<String> completer =
        write.thenApply(ignored -> Thread.currentThread().getName());
    List<Thread> writers =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals(SqliteWriter.THREAD_NAME))
            .toList();

    gate.release();

    assertThat(await(completer)).isEqualTo("patchbay-sqlite-writer");
    assertThat(writers).hasSize(1);
    assertThat(writers.get(0).isDaemon()).isTrue();
    store.close();
    writers.get(0).join(TIMEOUT.toMillis());
    assertThat(writers.get(0).isAlive()).isFalse();
  }
}
