package dev.patchbay.store.sqlite;

import dev.patchbay.core.PatchbayException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

/**
 * Group commit: the one thread that writes to the database.
 *
 * <p>Every write is a {@link Work} queued in one bounded queue. The writer thread takes the first
 * queued write, drains whatever else is queued (up to {@code maxBatchSize}) and runs them all in
 * one {@code BEGIN IMMEDIATE … COMMIT} transaction, so a burst of N writes costs one fsync instead
 * of N. Each write runs inside its own savepoint: a write that fails (a uniqueness conflict, bad
 * input) is rolled back to its savepoint and fails only its own future while the rest of the batch
 * commits. If the transaction as a whole fails (the commit itself, or an error that aborts the
 * transaction such as a full disk), the batch is rolled back and every write in it is run again in
 * a transaction of its own, so one bad write never fails its neighbours.
 *
 * <p>Futures complete on the writer thread after the commit returned, that is after the data is
 * durable under the configured synchronous mode. Being the only writer also makes the
 * check-then-insert sequences of a {@link Work} atomic.
 */
final class SqliteWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SqliteWriter.class);

  /** The thread name the SPI documentation promises. */
  static final String THREAD_NAME = "patchbay-sqlite-writer";

  /** One write, run on the writer connection inside a transaction and a savepoint. */
  @FunctionalInterface
  interface Work<T> {
    T run(SqlConnection connection) throws SQLException;
  }

  /** A test hook run just before COMMIT; throwing makes the whole transaction fail. */
  @FunctionalInterface
  interface CommitHook {
    void beforeCommit() throws SQLException;
  }

  /** Parks the writer once, after it took a write and before it drains the queue (tests). */
  static final class Gate {
    private final CountDownLatch parked = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Waits until the writer is parked at this gate. */
    boolean awaitParked(Duration timeout) throws InterruptedException {
      return parked.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the writer go on. */
    void release() {
      released.countDown();
    }

    void park() {
      parked.countDown();
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final class Task<T> {
    final @Nullable Work<T> work;
    final CompletableFuture<T> future = new CompletableFuture<>();
    @Nullable T result;
    @Nullable Throwable error;

    Task(@Nullable Work<T> work) {
      this.work = work;
    }

    void complete() {
      if (error != null) {
        future.completeExceptionally(error);
      } else {
        future.complete(result);
      }
    }
  }

  /** The close marker: the writer drains what is left after it and stops. */
  private final Task<Void> stop = new Task<>(null);

  private final SqlConnection connection;
  private final BlockingQueue<Task<?>> queue;
  private final int maxBatchSize;
  private final long enqueueTimeoutNanos;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong transactions = new AtomicLong();
  private volatile @Nullable Gate gate;
  private volatile @Nullable CommitHook commitHook;

  SqliteWriter(
      SqlConnection connection, int queueCapacity, int maxBatchSize, Duration enqueueTimeout) {
    this.connection = connection;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.maxBatchSize = maxBatchSize;
    this.enqueueTimeoutNanos = enqueueTimeout.toNanos();
    this.thread = new Thread(this::run, THREAD_NAME);
    // A store nobody closed must not keep the JVM alive; its unacknowledged writes are lost anyway.
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues a write. Blocks while the queue is full, at most the enqueue timeout.
   *
   * @return a future completed with the work's result once committed, or failed with the work's
   *     error, 503 when the store is closed or the queue stayed full, 500 on a storage failure
   */
  <T> CompletableFuture<T> submit(Work<T> work) {
    Task<T> task = new Task<>(work);
    if (closed.get()) {
      return CompletableFuture.failedFuture(SqliteDocStore.closedException());
    }
    boolean queued;
    try {
      queued = queue.offer(task, enqueueTimeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(
          new PatchbayException(503, "Interrupted while queueing a write", e));
    }
    if (!queued) {
      return CompletableFuture.failedFuture(
          new PatchbayException(503, "Store write queue full; retry later"));
    }
    // close() may have run between the check and the offer; if the writer will not see the task,
    // take it back and fail it rather than leave its future hanging.
    if (closed.get() && queue.remove(task)) {
      task.future.completeExceptionally(SqliteDocStore.closedException());
    }
    return task.future;
  }

  /** Returns whether the calling thread is the writer thread. */
  boolean isWriterThread() {
    return Thread.currentThread() == thread;
  }

  /** Returns how many transactions the writer committed (tests and metrics). */
  long transactionCount() {
    return transactions.get();
  }

  /** Installs a gate the writer parks at once, after taking its next write (tests). */
  Gate pause() {
    Gate g = new Gate();
    gate = g;
    return g;
  }

  /** Installs or clears the hook run before every COMMIT (tests). */
  void commitHook(@Nullable CommitHook hook) {
    commitHook = hook;
  }

  /**
   * Stops accepting writes, lets the writer commit everything queued, and waits for it to stop. The
   * caller closes the connection afterwards.
   */
  @Override
  public void close() {
    if (isWriterThread()) {
      // Joining itself would hang forever; a completion stage must hand closing to another thread.
      throw new IllegalStateException("Cannot close the store from its writer thread");
    }
    if (closed.compareAndSet(false, true)) {
      boolean queued = false;
      while (!queued && thread.isAlive()) {
        try {
          queued = queue.offer(stop, 1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Task<?> left;
    while ((left = queue.poll()) != null) {
      left.future.completeExceptionally(SqliteDocStore.closedException());
    }
  }

  private void run() {
    List<Task<?>> batch = new ArrayList<>();
    boolean stopping = false;
    while (true) {
      Task<?> first;
      try {
        first = stopping ? queue.poll() : queue.take();
      } catch (InterruptedException e) {
        // Nothing here interrupts the writer; if something does, finish what is queued and stop.
        stopping = true;
        continue;
      }
      if (first == null) {
        return;
      }
      Gate g = gate;
      if (g != null) {
        gate = null;
        g.park();
      }
      batch.add(first);
      queue.drainTo(batch, maxBatchSize - 1);
      if (batch.remove(stop)) {
        stopping = true;
      }
      if (!batch.isEmpty()) {
        try {
          runBatch(batch);
        } catch (Throwable t) {
          // A bug in this class must not kill the only writer and leave futures hanging.
          log.error("Writer failed a batch unexpectedly", t);
          for (Task<?> task : batch) {
            task.future.completeExceptionally(new PatchbayException(500, "Storage failure", t));
          }
        }
      }
      batch.clear();
    }
  }

  private void runBatch(List<Task<?>> batch) {
    try {
      connection.execute("BEGIN IMMEDIATE");
      for (Task<?> task : batch) {
        runInSavepoint(task);
      }
      CommitHook hook = commitHook;
      if (hook != null) {
        hook.beforeCommit();
      }
      connection.execute("COMMIT");
      transactions.incrementAndGet();
    } catch (SQLException e) {
      rollbackQuietly();
      if (batch.size() == 1) {
        Task<?> task = batch.get(0);
        task.result = null;
        task.error = new PatchbayException(500, "Storage failure", e);
        task.complete();
        log.warn("A write failed to commit", e);
        return;
      }
      log.warn("A group commit of {} writes failed; retrying them one by one", batch.size(), e);
      for (Task<?> task : batch) {
        task.result = null;
        task.error = null;
        runBatch(List.of(task));
      }
      return;
    }
    for (Task<?> task : batch) {
      task.complete();
    }
  }

  private <T> void runInSavepoint(Task<T> task) throws SQLException {
    connection.execute("SAVEPOINT write");
    try {
      task.result = task.work.run(connection);
      connection.execute("RELEASE write");
    } catch (SQLException | RuntimeException e) {
      // If the error aborted the whole transaction, this throws and the batch falls back.
      connection.execute("ROLLBACK TO write");
      connection.execute("RELEASE write");
      task.result = null;
      task.error = translate(e);
    }
  }

  private static Throwable translate(Exception e) {
    if (e instanceof PatchbayException) {
      return e;
    }
    if (e instanceof SQLiteException sql
        && sql.getResultCode().name().startsWith("SQLITE_CONSTRAINT")) {
      return new PatchbayException(409, "Conflicting write", e);
    }
    return new PatchbayException(500, "Storage failure", e);
  }

  private void rollbackQuietly() {
    try {
      connection.execute("ROLLBACK");
    } catch (SQLException e) {
      // No transaction left to roll back: SQLite already rolled it back.
      log.debug("Rollback after a failed batch failed", e);
    }
  }
}
