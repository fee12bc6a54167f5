package dev.patchbay.loadgen;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints one progress line a second on stderr ({@code [ 3s] ...}) until closed. */
final class Progress implements AutoCloseable {
  private final ScheduledExecutorService timer;
  private final long start = System.nanoTime();

  private Progress(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  static Progress start(String name, Supplier<String> line, boolean enabled, PrintStream err) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "patchbay-bench-progress-1");
              t.setDaemon(true);
              return t;
            });
    Progress p = new Progress(timer);
    if (enabled) {
      timer.scheduleAtFixedRate(
          () -> {
            long secs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - p.start);
            err.printf("[%s %3ds] %s%n", name, secs, line.get());
          },
          1,
          1,
          TimeUnit.SECONDS);
    }
    return p;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
