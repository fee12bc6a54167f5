package dev.patchbay.collections.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A device's view of record collections on a Patchbay server: records live in a local SQLite file,
 * changes wait in a durable outbox, and sync runs push the outbox over HTTP and pull every
 * configured collection by cursor. Build one per data directory with {@link #builder()}; close it
 * when done. Safe for use from several threads.
 */
public interface CollectionsClient extends AutoCloseable {
  /** Returns a new builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the configured collection {@code name}.
   *
   * @throws IllegalArgumentException when the collection was not configured
   */
  RecordCollection collection(String name);

  /**
   * Runs a sync (pull every collection, settle conflicts, push the outbox) as soon as possible.
   * Never skipped: called while a run is in progress, it returns the run that starts right after
   * it, which sees every change made before the call.
   *
   * @return completes with what the run did, or exceptionally with a {@link
   *     dev.patchbay.core.PatchbayException} when the server could not be reached or refused the
   *     pull; nothing queued is lost either way
   */
  CompletableFuture<SyncResult> syncNow();

  /**
   * Registers a listener of the client's events (sync runs, queued, synced and failed operations,
   * conflicts). Listeners run in event order on the client's watch thread; an exception thrown by
   * one is logged and affects no other. If listeners fall 10,000 events behind, further events are
   * dropped rather than slowing the client.
   *
   * @return closes the registration
   */
  Subscription onEvent(Consumer<SyncEvent> listener);

  /** Returns the sync status for a UI: last sync, the switch, outbox and conflict counts. */
  ClientStatus status();

  /** Returns the counters since start or the last {@link #resetMetrics()}. */
  SyncMetrics metrics();

  /** Sets every counter of {@link #metrics()} back to zero (the last sync time stays). */
  void resetMetrics();

  /**
   * Switches syncing on or off (on at start). Off, no sync run starts: interval and realtime
   * triggers are ignored and {@link #syncNow()} fails with {@link IllegalStateException}; local
   * reads and writes go on and changes queue. Switching it on starts a run.
   */
  void setSyncEnabled(boolean enabled);

  /** Returns the realtime connection's state ({@code DISCONNECTED} when realtime is off). */
  RealtimeState realtimeState();

  /** Returns the conflicts kept by strategy {@link ConflictStrategy#MANUAL}, oldest first. */
  List<Conflict> pendingConflicts();

  /** Returns the operations in the outbox, in push order. */
  List<PendingOperation> pendingOperations();

  /** Returns how many operations the outbox holds (any status). */
  int pendingCount();

  /** Makes every {@link OperationStatus#FAILED} operation pending again; returns how many. */
  int retryFailed();

  /** Stops syncing, waits for a running sync to end and closes the store. Idempotent. */
  @Override
  void close();

  /**
   * Configuration of a {@link CollectionsClient}, validated by {@link #build()}. Required: {@link
   * #baseUrl}, {@link #dataDirectory} and at least one collection.
   */
  final class Builder {
    private static final Pattern COLLECTION = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    @Nullable URI baseUrl;
    Supplier<@Nullable String> token = () -> null;
    final Set<String> collections = new LinkedHashSet<>();
    @Nullable Path dataDirectory;
    Duration syncInterval = Duration.ofMinutes(5);
    boolean autoSync = true;
    int maxRetries = 3;
    Duration backoffBase = Duration.ofSeconds(1);
    Duration backoffCap = Duration.ofMinutes(1);
    Duration requestTimeout = Duration.ofSeconds(30);
    ConflictStrategy conflictStrategy = ConflictStrategy.LAST_WRITE_WINS;
    @Nullable ConflictResolver conflictResolver;
    Clock clock = Clock.systemUTC();
    int pageSize = 100;
    byte @Nullable [] encryptionKey;
    boolean realtime;
    final java.util.Map<String, java.util.Map<String, String>> syncFilters =
        new java.util.LinkedHashMap<>();
    Duration reconnectBase = Duration.ofSeconds(1);
    Duration reconnectCap = Duration.ofSeconds(30);
    int maxReconnectAttempts = 10;
    Duration pingInterval = Duration.ofSeconds(30);
    Duration pongTimeout = Duration.ofSeconds(5);
    // Test hooks, not public settings: the realtime socket, and the batch push switch (off, each
    // operation is its own HTTP request, as before batches; the measurement compares both).
    Realtime.@Nullable Connector connector;
    boolean batchPush = true;
    boolean pushOnChange = true; // off: tests reach the realtime conflict path with changes queued

    Builder() {}

    /** The server's HTTP base, e.g. {@code http://127.0.0.1:8787}. */
    public Builder baseUrl(String url) {
      this.baseUrl = URI.create(Objects.requireNonNull(url, "baseUrl"));
      return this;
    }

    /** A fixed bearer token sent with every request. */
    public Builder token(String token) {
      Objects.requireNonNull(token, "token");
      this.token = () -> token;
      return this;
    }

    /** Asked for the bearer token before every request (rotation); null sends none. */
    public Builder tokenSupplier(Supplier<@Nullable String> supplier) {
      this.token = Objects.requireNonNull(supplier, "tokenSupplier");
      return this;
    }

    /** Collections to keep in sync; only these can be opened with {@code collection(name)}. */
    public Builder collections(String... names) {
      for (String n : names) {
        collections.add(Objects.requireNonNull(n, "collection"));
      }
      return this;
    }

    /** Directory of the local SQLite file (created when missing). */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "dataDirectory");
      return this;
    }

    /** Time between automatic syncs (5 minutes by default). */
    public Builder syncInterval(Duration interval) {
      this.syncInterval = Objects.requireNonNull(interval, "syncInterval");
      return this;
    }

    /** Whether to sync at start and every {@link #syncInterval} (true by default). */
    public Builder autoSync(boolean enabled) {
      this.autoSync = enabled;
      return this;
    }

    /** Refusals by the server before an operation is marked failed (3 by default; 0–100). */
    public Builder maxRetries(int retries) {
      this.maxRetries = retries;
      return this;
    }

    /**
     * Exponential backoff: the first retry after {@code base}, doubling up to {@code cap} (1 s and
     * 1 minute by default). Applies to refused operations and to automatic syncs after a failure.
     */
    public Builder backoff(Duration base, Duration cap) {
      this.backoffBase = Objects.requireNonNull(base, "base");
      this.backoffCap = Objects.requireNonNull(cap, "cap");
      return this;
    }

    /** Connect and per-request timeout (30 s by default). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "requestTimeout");
      return this;
    }

    /** How conflicts are settled ({@link ConflictStrategy#LAST_WRITE_WINS} by default). */
    public Builder conflictStrategy(ConflictStrategy strategy) {
      this.conflictStrategy = Objects.requireNonNull(strategy, "conflictStrategy");
      return this;
    }

    /** The merge function of {@link ConflictStrategy#CUSTOM}; sets that strategy. */
    public Builder conflictResolver(ConflictResolver resolver) {
      this.conflictResolver = Objects.requireNonNull(resolver, "conflictResolver");
      this.conflictStrategy = ConflictStrategy.CUSTOM;
      return this;
    }

    /** The clock of local change times and backoff (the system UTC clock by default). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Encrypts the stored records, outbox payloads and kept conflicts with AES-256-GCM under this
     * 32-byte key (copied; never logged). Ids and collection names stay readable. The network is
     * not affected: use https for that.
     */
    public Builder encryptionKey(byte[] key) {
      this.encryptionKey = Objects.requireNonNull(key, "encryptionKey").clone();
      return this;
    }

    /**
     * Pulls only the records of {@code collection} whose fields equal the given values (dotted
     * paths, ANDed; a value is a String, Number or Boolean and matches the field's text, as the
     * server's {@code where[field]=value}). Deletes always arrive. Local records are not filtered:
     * a record changed elsewhere so that it stops matching is no longer updated here.
     */
    public Builder syncFilter(String collection, java.util.Map<String, ?> where) {
      java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
      where.forEach(
          (k, v) -> {
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
              throw new IllegalArgumentException(
                  "syncFilter: the value of '" + k + "' must be a String, Number or Boolean");
            }
            copy.put(Objects.requireNonNull(k, "field"), String.valueOf(v));
          });
      syncFilters.put(Objects.requireNonNull(collection, "collection"), copy);
      return this;
    }

    /**
     * Whether to keep a WebSocket to the server's {@code /sync/ws} (false by default): a change
     * announced there for a configured collection starts a sync at once, as does every (re)connect.
     * Interval syncs continue as the fallback.
     */
    public Builder realtime(boolean enabled) {
      this.realtime = enabled;
      return this;
    }

    /**
     * Reconnect backoff of the realtime WebSocket: {@code base} doubling up to {@code cap} (1 s and
     * 30 s by default), at most {@code maxAttempts} failures in a row (10 by default; 0 means no
     * limit).
     */
    public Builder reconnect(Duration base, Duration cap, int maxAttempts) {
      this.reconnectBase = Objects.requireNonNull(base, "base");
      this.reconnectCap = Objects.requireNonNull(cap, "cap");
      this.maxReconnectAttempts = maxAttempts;
      return this;
    }

    /**
     * Realtime heartbeat: a {@code ping} every {@code interval} (30 s by default); no {@code pong}
     * within {@code pongTimeout} (5 s by default) closes the connection and reconnects.
     */
    public Builder heartbeat(Duration interval, Duration pongTimeout) {
      this.pingInterval = Objects.requireNonNull(interval, "interval");
      this.pongTimeout = Objects.requireNonNull(pongTimeout, "pongTimeout");
      return this;
    }

    /** Records asked for per pull request (100 by default; 1–1000). */
    public Builder pageSize(int size) {
      this.pageSize = size;
      return this;
    }

    /**
     * Validates the configuration, opens the local store and starts the client.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     * @throws IllegalStateException when another open client uses the same data directory
     */
    public CollectionsClient build() {
      if (baseUrl == null) {
        throw new IllegalArgumentException("baseUrl is required");
      }
      String scheme = baseUrl.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme) || baseUrl.getHost() == null) {
        throw new IllegalArgumentException("baseUrl must be an http or https URL: " + baseUrl);
      }
      if (dataDirectory == null) {
        throw new IllegalArgumentException("dataDirectory is required");
      }
      if (collections.isEmpty()) {
        throw new IllegalArgumentException("collections: at least one collection is required");
      }
      for (String c : collections) {
        if (!COLLECTION.matcher(c).matches()) {
          throw new IllegalArgumentException(
              "collections: '" + c + "' is not 1 to 128 letters, digits, '_', '.' or '-'");
        }
      }
      for (var f : syncFilters.entrySet()) {
        if (!collections.contains(f.getKey())) {
          throw new IllegalArgumentException(
              "syncFilter: collection '" + f.getKey() + "' is not configured");
        }
        for (String field : f.getValue().keySet()) {
          if (field.isEmpty()
              || field.startsWith(".")
              || field.endsWith(".")
              || field.contains("..")) {
            throw new IllegalArgumentException("syncFilter: invalid field path '" + field + "'");
          }
        }
      }
      positive(syncInterval, "syncInterval");
      positive(backoffBase, "backoff base");
      positive(requestTimeout, "requestTimeout");
      if (backoffCap.compareTo(backoffBase) < 0) {
        throw new IllegalArgumentException("backoff cap must not be below the base");
      }
      if (maxRetries < 0 || maxRetries > 100) {
        throw new IllegalArgumentException("maxRetries must be 0 to 100: " + maxRetries);
      }
      if (pageSize < 1 || pageSize > 1000) {
        throw new IllegalArgumentException("pageSize must be 1 to 1000: " + pageSize);
      }
      positive(reconnectBase, "reconnect base");
      positive(pingInterval, "heartbeat interval");
      positive(pongTimeout, "pongTimeout");
      if (pongTimeout.compareTo(pingInterval) >= 0) {
        throw new IllegalArgumentException(
            "pongTimeout must be shorter than the heartbeat interval");
      }
      if (reconnectCap.compareTo(reconnectBase) < 0) {
        throw new IllegalArgumentException("reconnect cap must not be below the base");
      }
      if (maxReconnectAttempts < 0) {
        throw new IllegalArgumentException(
            "maxReconnectAttempts must not be negative: " + maxReconnectAttempts);
      }
      if (encryptionKey != null && encryptionKey.length != 32) {
        throw new IllegalArgumentException(
            "encryptionKey must be 32 bytes (AES-256), not " + encryptionKey.length);
      }
      if (conflictStrategy == ConflictStrategy.CUSTOM && conflictResolver == null) {
        throw new IllegalArgumentException("conflictStrategy CUSTOM needs a conflictResolver");
      }
      if (conflictStrategy != ConflictStrategy.CUSTOM && conflictResolver != null) {
        throw new IllegalArgumentException(
            "a conflictResolver is used only with conflictStrategy CUSTOM, not "
                + conflictStrategy);
      }
      return DefaultCollectionsClient.start(this);
    }

    private static void positive(Duration d, String name) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }
}
