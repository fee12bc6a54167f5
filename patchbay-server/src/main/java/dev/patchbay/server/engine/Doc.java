package dev.patchbay.server.engine;

import dev.patchbay.server.spi.Tombstone;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A loaded document: the one-writer mailbox shared by both algorithms. Writes run one at a time;
 * the next starts when the previous one's durable write completed. (An OT commit step may hold a
 * batch of commits whose writes go out back to back; see {@code OtDoc.durableRev}.) Touched only by
 * the document's shard thread.
 */
abstract class Doc {
  final String id;
  boolean loaded;
  // The engine clock's time of the last access (see Engine.Shard.sweepIfDue).
  long touchedAt;
  @Nullable Tombstone tombstone;
  private final ArrayDeque<Supplier<CompletableFuture<?>>> mailbox = new ArrayDeque<>();
  private boolean busy;

  Doc(String id) {
    this.id = id;
  }

  /** Forgets everything loaded; the document reads as empty (or deleted, with a tombstone). */
  void reset(@Nullable Tombstone newTombstone) {
    tombstone = newTombstone;
  }

  /** Whether the document may be evicted from the cache (nothing queued or in flight). */
  boolean idle() {
    return !busy && mailbox.isEmpty();
  }

  /** Queues a write step; {@code drain} must be called on the shard thread afterwards. */
  void enqueue(Supplier<CompletableFuture<?>> step) {
    mailbox.add(step);
  }

  /**
   * Runs queued steps one after another. Each step returns a future that completes when its durable
   * effects are done; {@code resume} schedules the next drain on the shard thread.
   */
  void drain(Runnable resume) {
    while (!busy && !mailbox.isEmpty()) {
      Supplier<CompletableFuture<?>> step = mailbox.poll();
      CompletableFuture<?> done;
      try {
        done = step.get();
      } catch (RuntimeException e) {
        continue; // the step has already failed its own caller
      }
      if (!done.isDone()) {
        busy = true;
        done.whenComplete(
            (r, e) -> resume.run()); // resume() hops back onto the shard thread, then clears busy
      }
    }
  }

  /**
   * Shrinks what an untouched document holds in memory; called by the shard's sweep when nothing is
   * queued or in flight. Nothing to shrink by default.
   */
  void settle() {}

  /**
   * Shrinks what a document in use holds beyond what its commits need; called by every sweep of the
   * shard. Nothing to shrink by default.
   */
  void recompact() {}

  /** Called on the shard thread when the in-flight step finished. */
  void stepFinished() {
    busy = false;
  }
}
