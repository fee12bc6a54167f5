package dev.patchbay.server.collections;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.collections.WriteOutcome.Result;
import dev.patchbay.server.spi.CollectionRecord;
import dev.patchbay.server.spi.CollectionStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The collection engine: the one writer of every collection. Collections are sharded over
 * single-threaded executors ({@code patchbay-collection-N}); each collection has a mailbox whose
 * tasks run one after another, so a collection's sequence numbers are dense and its writes ordered.
 *
 * <p>A run of queued writes becomes one batch: each is settled against the stored record (or the
 * batch's own earlier writes) by the collection's {@link ConflictRule}, the applied ones take the
 * next sequence numbers and go to the store in one atomic write, and only once that is durable are
 * the callers answered and the listener told, in feed order. The collection's next task starts
 * after that, while the shard serves other collections. Reads queue in the same mailbox, so a read
 * sees every write queued before it.
 */
final class CollectionEngine implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CollectionEngine.class);
  private static final int MAX_BATCH = 256;

  /** Hears of every applied write, in feed order per collection, on the collection's shard. */
  interface Listener {
    void committed(String collection, List<Committed> changes);
  }

  /** An applied write and the record state it produced. */
  record Committed(WriteRequest request, CollectionRecord record) {}

  /**
   * Engine settings.
   *
   * @param shards the number of collection executors
   * @param maxQueuedPerCollection tasks one collection may have waiting; beyond it callers get 503
   * @param maxRecordBytes the largest record (its data as JSON); larger writes answer 413
   * @param changeIdRetentionMillis how long applied change ids are remembered for deduplication
   */
  record Settings(
      int shards, int maxQueuedPerCollection, int maxRecordBytes, long changeIdRetentionMillis) {}

  private sealed interface Task permits WriteTask, ReadTask {
    void fail(Throwable error);
  }

  private record WriteTask(WriteRequest request, CompletableFuture<WriteOutcome> future)
      implements Task {
    @Override
    public void fail(Throwable error) {
      future.completeExceptionally(error);
    }
  }

  private record ReadTask<T>(Function<CollectionStore, T> read, CompletableFuture<T> future)
      implements Task {
    void run(CollectionStore store) {
      try {
        future.complete(read.apply(store));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
      }
    }

    @Override
    public void fail(Throwable error) {
      future.completeExceptionally(error);
    }
  }

  private final class Mailbox {
    final String collection;
    final ThreadPoolExecutor shard;
    final ArrayDeque<Task> queue = new ArrayDeque<>();
    boolean scheduled; // guarded by this
    long lastSeq = -1; // shard thread only; -1 = read it from the store

    Mailbox(String collection, ThreadPoolExecutor shard) {
      this.collection = collection;
      this.shard = shard;
    }
  }

  private final CollectionStore store;
  private final CollectionRules rules;
  private final Settings settings;
  private final Listener listener;
  private final LongSupplier clock;
  private final Consumer<String> outcomeSink;
  private final ThreadPoolExecutor[] shards;
  private final ConcurrentHashMap<String, Mailbox> mailboxes = new ConcurrentHashMap<>();

  CollectionEngine(
      CollectionStore store,
      CollectionRules rules,
      Settings settings,
      Listener listener,
      LongSupplier clock) {
    this(store, rules, settings, listener, clock, result -> {});
  }

  /** Creates an engine that reports how each write was settled to {@code outcomes} (metrics). */
  CollectionEngine(
      CollectionStore store,
      CollectionRules rules,
      Settings settings,
      Listener listener,
      LongSupplier clock,
      Consumer<String> outcomes) {
    this.outcomeSink = outcomes;
    this.store = store;
    this.rules = rules;
    this.settings = settings;
    this.listener = listener;
    this.clock = clock;
    this.shards = new ThreadPoolExecutor[settings.shards()];
    for (int i = 0; i < shards.length; i++) {
      String name = "patchbay-collection-" + i;
      // Each collection has at most one task on its shard's queue at a time, so the bound is on
      // the number of busy collections, not on writes.
      shards[i] =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new ArrayBlockingQueue<>(100_000),
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              });
    }
  }

  /** Returns the rule of a collection. */
  ConflictRule ruleFor(String collection) {
    return rules.ruleFor(collection);
  }

  /** Queues a write; the future completes on the collection's shard once settled and durable. */
  CompletableFuture<WriteOutcome> write(WriteRequest request) {
    CompletableFuture<WriteOutcome> future = new CompletableFuture<>();
    submit(request.collection(), new WriteTask(request, future));
    return future;
  }

  /** Queues a read ordered after every task queued before it for the same collection. */
  <T> CompletableFuture<T> read(String collection, Function<CollectionStore, T> read) {
    CompletableFuture<T> future = new CompletableFuture<>();
    submit(collection, new ReadTask<>(read, future));
    return future;
  }

  private void submit(String collection, Task task) {
    Mailbox mb =
        mailboxes.computeIfAbsent(
            collection, c -> new Mailbox(c, shards[Math.floorMod(c.hashCode(), shards.length)]));
    boolean schedule;
    synchronized (mb) {
      if (mb.queue.size() >= settings.maxQueuedPerCollection()) {
        task.fail(new PatchbayException(503, "collection busy, retry later"));
        return;
      }
      mb.queue.add(task);
      schedule = !mb.scheduled;
      mb.scheduled = true;
    }
    if (schedule) {
      schedule(mb);
    }
  }

  private void schedule(Mailbox mb) {
    try {
      mb.shard.execute(() -> drain(mb));
    } catch (RejectedExecutionException e) {
      List<Task> left;
      synchronized (mb) {
        left = new ArrayList<>(mb.queue);
        mb.queue.clear();
        mb.scheduled = false;
      }
      PatchbayException busy = new PatchbayException(503, "server shutting down or overloaded");
      left.forEach(t -> t.fail(busy));
    }
  }

  private void drain(Mailbox mb) {
    List<WriteTask> batch = new ArrayList<>();
    while (batch.size() < MAX_BATCH) {
      Task head;
      synchronized (mb) {
        head = mb.queue.peek();
        if (head == null || (head instanceof ReadTask<?> && !batch.isEmpty())) {
          if (batch.isEmpty()) {
            mb.scheduled = false;
            return;
          }
          break;
        }
        mb.queue.poll();
      }
      if (head instanceof ReadTask<?> read) {
        read.run(store);
      } else {
        batch.add((WriteTask) head);
      }
    }
    commit(mb, batch);
  }

  private void commit(Mailbox mb, List<WriteTask> batch) {
    String collection = mb.collection;
    ConflictRule rule = rules.ruleFor(collection);
    long now = clock.getAsLong();
    WriteOutcome[] outcomes = new WriteOutcome[batch.size()];
    Throwable[] errors = new Throwable[batch.size()];
    List<CollectionRecord> toWrite = new ArrayList<>();
    List<Committed> committed = new ArrayList<>();
    List<String> appliedIds = new ArrayList<>();
    long seq;
    try {
      if (mb.lastSeq < 0) {
        mb.lastSeq = store.lastSeq(collection);
      }
      seq = mb.lastSeq;
      Set<String> wanted = new HashSet<>();
      for (WriteTask t : batch) {
        if (t.request().changeId() != null) {
          wanted.add(t.request().changeId());
        }
      }
      Set<String> seen = new HashSet<>(store.seenChangeIds(collection, wanted));
      Map<String, CollectionRecord> overlay = new HashMap<>();
      for (int i = 0; i < batch.size(); i++) {
        WriteRequest req = batch.get(i).request();
        try {
          checkSize(req.data());
          CollectionRecord current =
              overlay.containsKey(req.recordId())
                  ? overlay.get(req.recordId())
                  : store.getRecord(collection, req.recordId());
          if (req.changeId() != null && !seen.add(req.changeId())) {
            outcomes[i] =
                new WriteOutcome(current == null ? Result.NOT_FOUND : Result.DUPLICATE, current);
            continue;
          }
          Decision d = decide(rule, req, current, now);
          if (d.result() != Result.APPLIED) {
            outcomes[i] = new WriteOutcome(d.result(), current);
            continue;
          }
          checkSize(d.data());
          CollectionRecord next =
              new CollectionRecord(
                  collection,
                  req.recordId(),
                  d.data(),
                  current == null ? 1 : current.version() + 1,
                  ++seq,
                  d.updatedAt(),
                  d.deleted(),
                  req.userId(),
                  req.changeId());
          overlay.put(req.recordId(), next);
          toWrite.add(next);
          committed.add(new Committed(req, next));
          if (req.changeId() != null) {
            appliedIds.add(req.changeId());
          }
          outcomes[i] = new WriteOutcome(Result.APPLIED, next);
        } catch (PatchbayException e) {
          errors[i] = e;
        }
      }
    } catch (RuntimeException e) {
      // The store could not be read: nothing was decided, fail the batch and reread next time.
      mb.lastSeq = -1;
      batch.forEach(t -> t.fail(asPatchbay(e)));
      schedule(mb);
      return;
    }
    if (toWrite.isEmpty()) {
      finish(batch, outcomes, errors);
      schedule(mb);
      return;
    }
    long lastSeq = seq;
    CompletableFuture<Void> durable;
    try {
      durable =
          store.write(collection, toWrite, appliedIds, now + settings.changeIdRetentionMillis());
    } catch (RuntimeException e) {
      durable = CompletableFuture.failedFuture(e);
    }
    durable.whenComplete(
        (ok, error) -> {
          Runnable after =
              () -> {
                if (error != null) {
                  // The batch was computed on state that is not stored: answer every write of
                  // it with the failure (clients retry) and reread the sequence.
                  mb.lastSeq = -1;
                  PatchbayException e = asPatchbay(error);
                  log.warn(
                      "collection write failed: collection={} writes={} code={}",
                      collection,
                      toWrite.size(),
                      e.code());
                  batch.forEach(
                      t -> {
                        outcomeSink.accept("failed");
                        t.fail(e);
                      });
                } else {
                  mb.lastSeq = lastSeq;
                  // Fan-out first: once a writer has its answer, every subscriber's copy of
                  // the change is already queued.
                  try {
                    listener.committed(collection, committed);
                  } catch (RuntimeException e) {
                    log.error("collection listener failed", e);
                  }
                  finish(batch, outcomes, errors);
                }
                schedule(mb);
              };
          try {
            mb.shard.execute(after);
          } catch (RejectedExecutionException shuttingDown) {
            after.run();
          }
        });
  }

  private void finish(List<WriteTask> batch, WriteOutcome[] results, Throwable[] errors) {
    for (int i = 0; i < batch.size(); i++) {
      if (errors[i] != null) {
        outcomeSink.accept("failed");
        batch.get(i).future().completeExceptionally(errors[i]);
      } else {
        outcomeSink.accept(results[i].result().name().toLowerCase(Locale.ROOT));
        batch.get(i).future().complete(results[i]);
      }
    }
  }

  private void checkSize(@Nullable JsonNode data) {
    if (data != null
        && Json.write(data).getBytes(StandardCharsets.UTF_8).length > settings.maxRecordBytes()) {
      throw new PatchbayException(
          413, "record larger than " + settings.maxRecordBytes() + " bytes");
    }
  }

  private static PatchbayException asPatchbay(Throwable t) {
    Throwable cause = t;
    while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof PatchbayException p) {
      return p;
    }
    return new PatchbayException(500, "storage failure", cause);
  }

  /** How a write is settled: the result and, when applied, the new state. */
  record Decision(Result result, ObjectNode data, long updatedAt, boolean deleted) {
    static Decision not(Result result) {
      return new Decision(result, Json.object(), 0, false);
    }
  }

  /**
   * Settles one write against the stored record by the collection's rule. Pure: the rules of {@code
   * docs/collections.md} and nothing else.
   */
  static Decision decide(
      ConflictRule rule, WriteRequest req, @Nullable CollectionRecord current, long now) {
    long ts = req.timestamp() != null ? req.timestamp() : now;
    Long base = req.baseVersion();
    switch (req.kind()) {
      case PUT -> {
        ObjectNode data = req.data();
        if (current == null) {
          return new Decision(Result.APPLIED, data, ts, false);
        }
        if (!current.deleted()
            && Json.equal(current.data(), data)
            && (req.timestamp() == null || ts == current.updatedAt())) {
          return Decision.not(Result.DUPLICATE);
        }
        return settle(rule, base, current, ts, new Decision(Result.APPLIED, data, ts, false));
      }
      case PATCH -> {
        if (current == null || current.deleted()) {
          return Decision.not(Result.NOT_FOUND);
        }
        ObjectNode merged = merge((ObjectNode) current.data(), req.data());
        if (Json.equal(current.data(), merged)
            && (req.timestamp() == null || ts == current.updatedAt())) {
          return Decision.not(Result.DUPLICATE);
        }
        return settle(rule, base, current, ts, new Decision(Result.APPLIED, merged, ts, false));
      }
      case DELETE -> {
        if (current == null) {
          return Decision.not(Result.NOT_FOUND);
        }
        if (current.deleted()) {
          // Under LWW a later delete moves the tombstone's time forward: kept at the first delete's
          // time, a write made between the two deletes would revive the record after both.
          if (rule == ConflictRule.LWW && req.timestamp() != null && ts > current.updatedAt()) {
            return new Decision(Result.APPLIED, Json.object(), ts, true);
          }
          return Decision.not(Result.DUPLICATE);
        }
        long at = req.timestamp() != null ? ts : Math.max(now, current.updatedAt());
        Decision delete = new Decision(Result.APPLIED, Json.object(), at, true);
        if (base == null) {
          // An explicit delete is not version-checked; under LWW a timestamped one must not be
          // older than the stored write.
          if (rule == ConflictRule.LWW && req.timestamp() != null && ts < current.updatedAt()) {
            return Decision.not(Result.IGNORED);
          }
          return delete;
        }
        return settle(rule, base, current, ts, delete);
      }
    }
    throw new AssertionError(req.kind());
  }

  /** The conflict rules for a write over an existing record (or tombstone). */
  private static Decision settle(
      ConflictRule rule, @Nullable Long base, CollectionRecord current, long ts, Decision apply) {
    if (base != null && base == current.version()) {
      return apply; // made against the stored version: no conflict under any rule
    }
    return switch (rule) {
      case LWW -> ts >= current.updatedAt() ? apply : Decision.not(Result.IGNORED);
      case SERVER_WINS -> Decision.not(Result.IGNORED);
      case REJECT -> Decision.not(Result.CONFLICT);
    };
  }

  /** SyncLayer's delta: the fields of {@code delta} replace the record's, a null removes one. */
  static ObjectNode merge(ObjectNode base, ObjectNode delta) {
    ObjectNode out = base.deepCopy();
    for (Map.Entry<String, JsonNode> e : delta.properties()) {
      if (e.getValue().isNull()) {
        out.remove(e.getKey());
      } else {
        out.set(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** Stops the shards after the tasks already queued, waiting at most 10 s. */
  @Override
  public void close() {
    for (ThreadPoolExecutor shard : shards) {
      shard.shutdown();
    }
    for (ThreadPoolExecutor shard : shards) {
      try {
        if (!shard.awaitTermination(10, TimeUnit.SECONDS)) {
          shard.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        shard.shutdownNow();
      }
    }
  }
}
