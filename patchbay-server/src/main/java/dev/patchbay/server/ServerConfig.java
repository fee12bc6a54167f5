package dev.patchbay.server;

import dev.patchbay.core.PatchbayException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated, immutable settings of a {@link PatchbayServer}. Every field has a default (see
 * {@link #defaults()}) and a command-line flag and {@code PATCHBAY_*} environment variable in the
 * {@code patchbay serve} command; the README lists them.
 *
 * @param host the address to bind; {@code 127.0.0.1} by default
 * @param port the port to bind; 8787 by default, 0 picks a free port
 * @param dataDir where the SQLite store keeps its file
 * @param store {@code sqlite} (durable, the default) or {@code memory}
 * @param lwwPatterns document id patterns ({@code *} matches any run of characters) whose documents
 *     use last-write-wins; every other document uses OT
 * @param shards the number of single-threaded document executors (one writer per document)
 * @param maxFrameBytes the largest WebSocket message accepted, in bytes
 * @param sessionTimeout the gap between changes that starts a new version
 * @param maxChangesPerVersion a version is cut at least every this many changes (0 disables)
 * @param maxCachedDocs how many documents stay loaded in memory
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    String store,
    List<String> lwwPatterns,
    int shards,
    int maxFrameBytes,
    Duration sessionTimeout,
    int maxChangesPerVersion,
    int maxCachedDocs) {

  /** Validates every setting; the message names the setting that is wrong. */
  public ServerConfig {
    lwwPatterns = List.copyOf(lwwPatterns);
    require(!host.isBlank(), "host must not be empty");
    require(port >= 0 && port <= 65_535, "port must be between 0 and 65535, was " + port);
    require(
        store.equals("sqlite") || store.equals("memory"),
        "store must be sqlite or memory, was " + store);
    require(shards >= 1 && shards <= 1024, "shards must be between 1 and 1024, was " + shards);
    require(
        maxFrameBytes >= 64 * 1024,
        "max-frame-bytes must be at least 65536 (the Patches client sends 1 MB batches), was "
            + maxFrameBytes);
    require(
        !sessionTimeout.isNegative() && !sessionTimeout.isZero(),
        "session-timeout must be positive");
    require(maxChangesPerVersion >= 0, "max-changes-per-version must not be negative");
    require(maxCachedDocs >= 1, "max-cached-docs must be at least 1");
    for (String p : lwwPatterns) {
      require(!p.isBlank(), "an lww pattern must not be empty");
    }
  }

  /** Returns the defaults: 127.0.0.1:8787, SQLite under {@code ./data}, every document OT. */
  public static ServerConfig defaults() {
    return new ServerConfig(
        "127.0.0.1",
        8787,
        Path.of("data"),
        "sqlite",
        List.of(),
        Math.max(2, Runtime.getRuntime().availableProcessors()),
        16 * 1024 * 1024,
        Duration.ofMinutes(30),
        1000,
        10_000);
  }

  /** Returns a copy bound to another port. */
  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host,
        newPort,
        dataDir,
        store,
        lwwPatterns,
        shards,
        maxFrameBytes,
        sessionTimeout,
        maxChangesPerVersion,
        maxCachedDocs);
  }

  /** Returns a copy using another store kind ({@code sqlite} or {@code memory}). */
  public ServerConfig withStore(String newStore, Path newDataDir) {
    return new ServerConfig(
        host,
        port,
        newDataDir,
        newStore,
        lwwPatterns,
        shards,
        maxFrameBytes,
        sessionTimeout,
        maxChangesPerVersion,
        maxCachedDocs);
  }

  /** Returns a copy with other last-write-wins patterns. */
  public ServerConfig withLwwPatterns(List<String> patterns) {
    return new ServerConfig(
        host,
        port,
        dataDir,
        store,
        patterns,
        shards,
        maxFrameBytes,
        sessionTimeout,
        maxChangesPerVersion,
        maxCachedDocs);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new PatchbayException(400, "Invalid configuration: " + message);
    }
  }
}
