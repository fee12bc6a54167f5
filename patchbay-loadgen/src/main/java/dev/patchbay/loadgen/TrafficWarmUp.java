package dev.patchbay.loadgen;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives real traffic through a throw-away server before the real one serves, so its code is
 * compiled before clients arrive: sockets, WebSocket frames, JSON-RPC, commits, transforms, fan-out
 * and group commits, the whole path.
 *
 * <p>Why: a server that meets full load cold falls behind while the JIT compiles, and under the
 * Patches protocol a client that is behind is answered with everything it missed, so the backlog
 * feeds itself. At 10,000 ops/s offered a fresh server collapsed in most runs, while one that had
 * carried 10 s of 4,000 ops/s held every time (docs/benchmarks.md). The handler-level warm-up
 * ({@code store.sqlite.WarmUp}) is too short for that.
 *
 * <p>The throw-away server has its own SQLite file in the temporary directory and listens on an
 * ephemeral loopback port; the real store is never touched. About two thirds of the time goes to
 * the broadcast workload (50 clients on 5 documents, 3,000 ops/s offered), the rest to the commit
 * workload (16 clients editing one text).
 */
public final class TrafficWarmUp {
  private static final Logger log = LoggerFactory.getLogger(TrafficWarmUp.class);

  private TrafficWarmUp() {}

  /**
   * Runs for about {@code duration}; returns the ops and commits acknowledged, or -1 when it
   * failed. Never throws: a failed warm-up only costs the speed it would have bought.
   */
  public static long run(Duration duration) {
    long started = System.nanoTime();
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    long seconds = Math.max(1, duration.toSeconds());
    long broadcastSeconds = Math.max(1, seconds * 2 / 3);
    long commitSeconds = Math.max(1, seconds - broadcastSeconds);
    try (Driver driver = new Driver(2);
        Target target = Target.inProcess("sqlite", 1_000)) {
      Broadcast.Spec broadcast =
          new Broadcast.Spec(
              50,
              5,
              (int) (60 * broadcastSeconds),
              60,
              Duration.ofSeconds(5),
              Duration.ofSeconds(broadcastSeconds + 10));
      Report first = Broadcast.run(driver, target, broadcast, false, quiet);
      Commit.Spec commit = new Commit.Spec(16, 100_000, Duration.ofSeconds(commitSeconds));
      Report second = Commit.run(driver, target, commit, false, quiet);
      long done = first.getLong("acked") + second.getLong("committed");
      log.info(
          "warm-up: {} ops and commits through a throw-away server in {} ms",
          done,
          Duration.ofNanos(System.nanoTime() - started).toMillis());
      return done;
    } catch (Exception e) {
      log.warn("traffic warm-up failed, serving without it: {}", e.toString());
      return -1;
    }
  }
}
