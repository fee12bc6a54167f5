package dev.patchbay.client.spi;

import java.time.Duration;

/**
 * Runs tasks after a delay: reconnect backoff and connect timeouts. Injectable so tests drive time
 * themselves instead of waiting.
 */
public interface Scheduler {

  /**
   * Runs {@code task} once after {@code delay}, on a thread of the scheduler's choosing.
   *
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** Cancels a scheduled task. */
  interface Cancellable {
    /** Cancels the task if it has not started yet. Idempotent. */
    void cancel();
  }
}
