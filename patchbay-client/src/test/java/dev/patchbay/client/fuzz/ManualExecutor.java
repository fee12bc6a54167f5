package dev.patchbay.client.fuzz;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An executor whose tasks wait in a FIFO queue until the fuzz driver runs them on its own thread:
 * the behaviour of a single-threaded executor, without the thread, so a seed replays exactly.
 * Stands in for the client's protocol thread and the engine's shard threads.
 */
final class ManualExecutor extends AbstractExecutorService {
  private final String name;
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean shutdown;

  ManualExecutor(String name) {
    this.name = name;
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException(name + " is shut down");
    }
    tasks.add(task);
  }

  /** Returns whether a task is waiting. */
  boolean hasWork() {
    return !tasks.isEmpty();
  }

  /**
   * Runs tasks, including those they queue, until none is left.
   *
   * @return the number of tasks run
   * @throws IllegalStateException when more than {@code limit} tasks ran (a task loop)
   */
  int runAll(int limit) {
    int n = 0;
    while (!tasks.isEmpty()) {
      if (++n > limit) {
        throw new IllegalStateException(name + ": more than " + limit + " tasks in a row");
      }
      tasks.poll().run();
    }
    return n;
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(tasks);
    tasks.clear();
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown && tasks.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  @Override
  public String toString() {
    return name;
  }
}
