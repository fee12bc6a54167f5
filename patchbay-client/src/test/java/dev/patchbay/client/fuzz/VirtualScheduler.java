package dev.patchbay.client.fuzz;

import dev.patchbay.client.spi.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A client timer on virtual time: tasks wait until the driver advances the clock to them. Ties run
 * in the order they were scheduled.
 */
final class VirtualScheduler implements Scheduler {
  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long now;
  private long sequence;

  private static final class Task implements Comparable<Task>, Cancellable {
    final long due;
    final long order;
    final Runnable action;
    boolean cancelled;

    Task(long due, long order, Runnable action) {
      this.due = due;
      this.order = order;
      this.action = action;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Task o) {
      int byDue = Long.compare(due, o.due);
      return byDue != 0 ? byDue : Long.compare(order, o.order);
    }
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable action) {
    Task task = new Task(now + delay.toMillis(), sequence++, action);
    queue.add(task);
    return task;
  }

  /** Returns the virtual time in milliseconds. */
  long now() {
    return now;
  }

  /** Returns whether a task that was not cancelled is waiting. */
  boolean hasLiveTask() {
    dropCancelled();
    return !queue.isEmpty();
  }

  /** Returns the due time of the next live task, or {@code Long.MAX_VALUE} when there is none. */
  long nextDue() {
    dropCancelled();
    Task next = queue.peek();
    return next == null ? Long.MAX_VALUE : next.due;
  }

  /** Advances the clock to {@code time} and runs every live task due by then. */
  void advanceTo(long time) {
    dropCancelled();
    while (!queue.isEmpty() && queue.peek().due <= time) {
      Task task = queue.poll();
      now = Math.max(now, task.due);
      if (!task.cancelled) {
        task.action.run();
      }
      dropCancelled();
    }
    now = Math.max(now, time);
  }

  private void dropCancelled() {
    while (!queue.isEmpty() && queue.peek().cancelled) {
      queue.poll();
    }
  }
}
