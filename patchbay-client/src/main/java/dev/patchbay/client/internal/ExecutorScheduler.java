package dev.patchbay.client.internal;

import dev.patchbay.client.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The default {@link Scheduler}: one daemon timer thread, {@code patchbay-timer-<n>}. */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(new NamedThreads("timer"));

  /** Creates a scheduler with its own timer thread. */
  public ExecutorScheduler() {}

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    ScheduledFuture<?> future = executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  /** Stops the timer thread; tasks not yet run are dropped. */
  @Override
  public void close() {
    executor.shutdownNow();
  }
}
