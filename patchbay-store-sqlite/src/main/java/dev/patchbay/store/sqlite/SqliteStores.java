package dev.patchbay.store.sqlite;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.spi.DocStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Opens SQLite stores.
 *
 * <pre>{@code
 * DocStore store = SqliteStores.builder(Path.of("/var/lib/patchbay")).open();
 * }</pre>
 *
 * <p>The store keeps one file, {@code patchbay.db} by default, in the data directory (created if
 * missing), migrates its schema on open, and runs one writer thread named {@code
 * patchbay-sqlite-writer}. Close it to flush pending writes and release the file.
 *
 * <p><b>Write queue.</b> Writes wait in one bounded queue ({@link Builder#writeQueueCapacity},
 * 10,000 by default) for the writer, which takes up to {@link Builder#maxBatchSize} of them (500)
 * into one transaction. When the queue is full a caller blocks for at most {@link
 * Builder#enqueueTimeout} (5 s); if no room frees up by then its future fails with a 503 {@link
 * PatchbayException} ("write queue full"), which the engine treats as retryable. Do not write from
 * an event loop: a write call can block for that long.
 */
public final class SqliteStores {
  private SqliteStores() {}

  /** Returns a builder for a store whose file lives in {@code dataDirectory}. */
  public static Builder builder(Path dataDirectory) {
    return new Builder(dataDirectory);
  }

  /**
   * What an acknowledged write survives. Both modes run SQLite in WAL mode, where a crash never
   * corrupts the database; they differ in which commits a crash can take back.
   */
  public enum Durability {
    /**
     * {@code synchronous=FULL} (the default): the WAL is fsynced at every commit, so an
     * acknowledged write survives a crash of the process (kill -9) and also of the machine (power
     * loss, kernel panic), as far as the disk honours fsync. The fsync is paid once per group
     * commit, not once per write.
     */
    POWER_LOSS_SAFE,
    /**
     * {@code synchronous=NORMAL}: a commit is written to the WAL in the OS page cache and fsynced
     * only at checkpoints. An acknowledged write survives kill -9 of the process (the kernel still
     * holds and writes the pages), but a power loss or OS crash can roll back the last commits
     * before the next checkpoint. Only for data that can be re-synced from clients.
     */
    PROCESS_CRASH_SAFE
  }

  /**
   * Configuration of a SQLite store. Every setting is validated when set; {@link #open()} seals it.
   * Not thread-safe; use one builder from one thread.
   */
  public static final class Builder {
    private final Path dataDirectory;
    private String fileName = "patchbay.db";
    private Durability durability = Durability.POWER_LOSS_SAFE;
    private int readConnections = 4;
    private int writeQueueCapacity = 10_000;
    private int maxBatchSize = 500;
    private Duration enqueueTimeout = Duration.ofSeconds(5);
    private Duration busyTimeout = Duration.ofSeconds(5);
    private Clock clock = Clock.systemUTC();

    private Builder(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
    }

    /** Sets the database file name inside the data directory ({@code patchbay.db}). */
    public Builder fileName(String name) {
      Objects.requireNonNull(name, "fileName");
      if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
        throw new IllegalArgumentException("fileName must be a plain file name: " + name);
      }
      this.fileName = name;
      return this;
    }

    /** Sets what an acknowledged write survives ({@link Durability#POWER_LOSS_SAFE}). */
    public Builder durability(Durability mode) {
      this.durability = Objects.requireNonNull(mode, "durability");
      return this;
    }

    /** Sets the number of read connections, 1 to 64 (4). */
    public Builder readConnections(int count) {
      this.readConnections = checkRange("readConnections", count, 1, 64);
      return this;
    }

    /** Sets how many writes may wait for the writer, 1 to 1,000,000 (10,000). */
    public Builder writeQueueCapacity(int capacity) {
      this.writeQueueCapacity = checkRange("writeQueueCapacity", capacity, 1, 1_000_000);
      return this;
    }

    /** Sets the most writes one transaction takes, 1 to 100,000 (500). */
    public Builder maxBatchSize(int size) {
      this.maxBatchSize = checkRange("maxBatchSize", size, 1, 100_000);
      return this;
    }

    /**
     * Sets how long a write waits for room in a full queue before its future fails with 503 (5 s);
     * zero fails at once.
     */
    public Builder enqueueTimeout(Duration timeout) {
      this.enqueueTimeout = checkDuration("enqueueTimeout", timeout);
      return this;
    }

    /**
     * Sets SQLite's busy timeout: how long a connection waits for a lock held by another process or
     * a checkpoint (5 s).
     */
    public Builder busyTimeout(Duration timeout) {
      this.busyTimeout = checkDuration("busyTimeout", timeout);
      return this;
    }

    /** Sets the clock expiry of tombstones and seen change ids is judged by (system UTC). */
    public Builder clock(Clock source) {
      this.clock = Objects.requireNonNull(source, "clock");
      return this;
    }

    /**
     * Opens the store: creates the data directory if needed, migrates the schema, starts the writer
     * thread and opens the read connections.
     *
     * @throws PatchbayException with code 500 when the directory or the database cannot be opened
     *     or migrated
     */
    public DocStore open() {
      SqliteConfig config =
          new SqliteConfig(
              dataDirectory.resolve(fileName),
              durability,
              readConnections,
              writeQueueCapacity,
              maxBatchSize,
              enqueueTimeout,
              busyTimeout,
              clock);
      return SqliteDocStore.open(config);
    }

    private static int checkRange(String name, int value, int min, int max) {
      if (value < min || value > max) {
        throw new IllegalArgumentException(
            name + " must be between " + min + " and " + max + ": " + value);
      }
      return value;
    }

    private static Duration checkDuration(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(name + " must be between 0 and 1 hour: " + value);
      }
      return value;
    }
  }
}
