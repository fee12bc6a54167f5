package dev.patchbay.server;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.auth.AuthConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The validated, immutable settings of a {@link PatchbayServer}, built with {@link #builder()}.
 * Every setting has a default and a flag and {@code PATCHBAY_*} environment variable of {@code
 * patchbay serve}; the README lists them. Invalid settings fail at {@link Builder#build()} with a
 * message that names the setting.
 *
 * @param host the address to bind; {@code 127.0.0.1} by default
 * @param port the port to bind; 8787 by default, 0 picks a free port
 * @param dataDir where the SQLite store keeps its file
 * @param store {@code sqlite} (durable, the default) or {@code memory}
 * @param lwwPatterns document id patterns ({@code *} matches any run of characters) whose documents
 *     use last-write-wins; every other document uses OT
 * @param shards the number of single-threaded document executors (one writer per document)
 * @param maxFrameBytes the largest WebSocket message accepted, in bytes
 * @param maxChangeBytes the largest change (as JSON) a document stores; larger ones answer 413
 * @param maxDocBytes the largest OT document, estimated as its newest version's JSON plus the JSON
 *     of the changes after it; a commit that would pass it answers 413 with scope doc
 * @param sessionTimeout the gap between changes that starts a new version
 * @param maxChangesPerVersion a version is cut at least every this many changes (0 disables)
 * @param maxCachedDocs how many documents stay loaded in memory
 * @param maxConnections open WebSocket connections in total; further upgrades answer 503
 * @param maxConnectionsPerAddress open WebSocket connections per client IP address; further
 *     upgrades answer 429
 * @param messagesPerSecond the sustained message rate of one connection (token bucket refill)
 * @param messageBurst the token bucket size: messages a connection may send at once
 * @param maxOutboundBytes bytes queued for one connection that it has not read yet; past this the
 *     connection is closed with 1013
 * @param maxOutboundBytesTotal bytes queued for all connections together; past this, a connection
 *     with 64 KiB or more queued is closed with 1013 (0: a quarter of the maximum heap)
 * @param pingInterval a WebSocket ping goes to a connection silent for this long
 * @param idleTimeout a connection silent (not even a pong) for this long is closed
 * @param handshakeTimeout a connection that has not completed its WebSocket upgrade in this time
 *     (and is silent) is closed
 * @param auth how connections authenticate; {@link AuthConfig#none()} (open) by default
 * @param collectionRules conflict rules of record collections, {@code <pattern>=<rule>} with rule
 *     {@code lww}, {@code server-wins} or {@code reject}; the first match wins, {@code lww} when
 *     none matches (see {@code docs/collections.md})
 * @param maxRecordBytes the largest collection record (its data as JSON); an HTTP body may be 4 KiB
 *     larger. Larger writes answer 413
 */
public record ServerConfig(
    String host,
    int port,
    Path dataDir,
    String store,
    List<String> lwwPatterns,
    int shards,
    int maxFrameBytes,
    int maxChangeBytes,
    long maxDocBytes,
    Duration sessionTimeout,
    int maxChangesPerVersion,
    int maxCachedDocs,
    int maxConnections,
    int maxConnectionsPerAddress,
    int messagesPerSecond,
    int messageBurst,
    int maxOutboundBytes,
    long maxOutboundBytesTotal,
    Duration pingInterval,
    Duration idleTimeout,
    Duration handshakeTimeout,
    AuthConfig auth,
    List<String> collectionRules,
    int maxRecordBytes,
    Duration tombstoneRetention) {

  /** Validates every setting; the message names the setting that is wrong. */
  public ServerConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(auth, "auth");
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
        maxChangeBytes >= 1024, "max-change-bytes must be at least 1024, was " + maxChangeBytes);
    require(
        maxDocBytes >= maxChangeBytes,
        "max-doc-bytes must be at least max-change-bytes, was " + maxDocBytes);
    require(
        !sessionTimeout.isNegative() && !sessionTimeout.isZero(),
        "session-timeout must be positive");
    require(maxChangesPerVersion >= 0, "max-changes-per-version must not be negative");
    require(maxCachedDocs >= 1, "max-cached-docs must be at least 1");
    require(maxConnections >= 1, "max-connections must be at least 1");
    require(
        maxConnectionsPerAddress >= 1 && maxConnectionsPerAddress <= maxConnections,
        "max-connections-per-address must be between 1 and max-connections");
    require(messagesPerSecond >= 1, "max-messages-per-second must be at least 1");
    require(messageBurst >= 1, "message-burst must be at least 1");
    require(
        maxOutboundBytes >= 64 * 1024,
        "max-outbound-bytes must be at least 65536, was " + maxOutboundBytes);
    require(
        maxOutboundBytesTotal == 0 || maxOutboundBytesTotal >= maxOutboundBytes,
        "max-outbound-bytes-total must be 0 (a quarter of the heap) or at least max-outbound-bytes,"
            + " was "
            + maxOutboundBytesTotal);
    require(positive(pingInterval), "ping-interval must be positive");
    require(
        positive(idleTimeout) && idleTimeout.compareTo(pingInterval) > 0,
        "idle-timeout must be longer than ping-interval");
    require(positive(handshakeTimeout), "handshake-timeout must be positive");
    for (String p : lwwPatterns) {
      require(!p.isBlank(), "an lww pattern must not be empty");
    }
    collectionRules = List.copyOf(collectionRules);
    try {
      dev.patchbay.server.collections.CollectionRules.parse(collectionRules);
    } catch (IllegalArgumentException e) {
      require(false, "collection-rule: " + e.getMessage());
    }
    require(
        maxRecordBytes >= 1024 && maxRecordBytes <= 64 * 1024 * 1024,
        "max-record-bytes must be between 1024 and 67108864, was " + maxRecordBytes);
    require(!tombstoneRetention.isNegative(), "tombstone-retention-days must not be negative");
  }

  /** Returns the defaults: 127.0.0.1:8787, SQLite under {@code ./data}, every document OT. */
  public static ServerConfig defaults() {
    return builder().build();
  }

  /** Returns a builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.dataDir = dataDir;
    b.store = store;
    b.lwwPatterns = lwwPatterns;
    b.shards = shards;
    b.maxFrameBytes = maxFrameBytes;
    b.maxChangeBytes = maxChangeBytes;
    b.maxDocBytes = maxDocBytes;
    b.sessionTimeout = sessionTimeout;
    b.maxChangesPerVersion = maxChangesPerVersion;
    b.maxCachedDocs = maxCachedDocs;
    b.maxConnections = maxConnections;
    b.maxConnectionsPerAddress = maxConnectionsPerAddress;
    b.messagesPerSecond = messagesPerSecond;
    b.messageBurst = messageBurst;
    b.maxOutboundBytes = maxOutboundBytes;
    b.maxOutboundBytesTotal = maxOutboundBytesTotal;
    b.pingInterval = pingInterval;
    b.idleTimeout = idleTimeout;
    b.handshakeTimeout = handshakeTimeout;
    b.auth = auth;
    b.collectionRules = collectionRules;
    b.maxRecordBytes = maxRecordBytes;
    b.tombstoneRetention = tombstoneRetention;
    return b;
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new PatchbayException(400, "Invalid configuration: " + message);
    }
  }

  /** Collects settings; {@link #build()} validates and seals them. Not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8787;
    private Path dataDir = Path.of("data");
    private String store = "sqlite";
    private List<String> lwwPatterns = List.of();
    private int shards = Math.max(2, Runtime.getRuntime().availableProcessors());
    private int maxFrameBytes = 16 * 1024 * 1024;
    private int maxChangeBytes = 4 * 1024 * 1024;
    private long maxDocBytes = 64L * 1024 * 1024;
    private Duration sessionTimeout = Duration.ofMinutes(30);
    private int maxChangesPerVersion = 1000;
    private int maxCachedDocs = 10_000;
    private int maxConnections = 10_000;
    private int maxConnectionsPerAddress = 100;
    private int messagesPerSecond = 200;
    private int messageBurst = 400;
    private int maxOutboundBytes = 8 * 1024 * 1024;
    private long maxOutboundBytesTotal;
    private List<String> collectionRules = List.of();
    private int maxRecordBytes = 1024 * 1024;
    private Duration tombstoneRetention = Duration.ofDays(90);
    private Duration pingInterval = Duration.ofSeconds(30);
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private AuthConfig auth = AuthConfig.none();

    private Builder() {}

    /** Sets the address to bind. */
    public Builder host(String value) {
      host = value;
      return this;
    }

    /** Sets the port to bind; 0 picks a free one. */
    public Builder port(int value) {
      port = value;
      return this;
    }

    /** Sets the directory of the SQLite file. */
    public Builder dataDir(Path value) {
      dataDir = value;
      return this;
    }

    /** Sets the store: {@code sqlite} or {@code memory}. */
    public Builder store(String value) {
      store = value;
      return this;
    }

    /** Sets the id patterns of last-write-wins documents. */
    public Builder lwwPatterns(List<String> value) {
      lwwPatterns = value;
      return this;
    }

    /** Sets the number of document executors. */
    public Builder shards(int value) {
      shards = value;
      return this;
    }

    /** Sets the largest WebSocket message accepted. */
    public Builder maxFrameBytes(int value) {
      maxFrameBytes = value;
      return this;
    }

    /** Sets the largest change a document stores. */
    public Builder maxChangeBytes(int value) {
      maxChangeBytes = value;
      return this;
    }

    /**
     * Sets the largest OT document (estimated from its newest version and the changes after it).
     */
    public Builder maxDocBytes(long value) {
      maxDocBytes = value;
      return this;
    }

    /** Sets the gap between changes that closes an editing session. */
    public Builder sessionTimeout(Duration value) {
      sessionTimeout = value;
      return this;
    }

    /** Sets how often a version is cut at the latest (0 disables). */
    public Builder maxChangesPerVersion(int value) {
      maxChangesPerVersion = value;
      return this;
    }

    /** Sets how many documents stay loaded. */
    public Builder maxCachedDocs(int value) {
      maxCachedDocs = value;
      return this;
    }

    /** Sets the most open WebSocket connections in total. */
    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    /** Sets the most open WebSocket connections per client IP address. */
    public Builder maxConnectionsPerAddress(int value) {
      maxConnectionsPerAddress = value;
      return this;
    }

    /** Sets the sustained message rate of one connection. */
    public Builder messagesPerSecond(int value) {
      messagesPerSecond = value;
      return this;
    }

    /** Sets how many messages a connection may send at once above its sustained rate. */
    public Builder messageBurst(int value) {
      messageBurst = value;
      return this;
    }

    /** Sets the bytes queued for one connection before it is closed as too slow. */
    public Builder maxOutboundBytes(int value) {
      maxOutboundBytes = value;
      return this;
    }

    /**
     * Sets the bytes queued for all connections together past which a connection with 64 KiB or
     * more queued is closed as too slow; 0 (the default) means a quarter of the maximum heap.
     */
    public Builder maxOutboundBytesTotal(long value) {
      maxOutboundBytesTotal = value;
      return this;
    }

    /** Sets the silence after which a connection is pinged. */
    public Builder pingInterval(Duration value) {
      pingInterval = value;
      return this;
    }

    /** Sets the silence after which a connection is closed. */
    public Builder idleTimeout(Duration value) {
      idleTimeout = value;
      return this;
    }

    /** Sets the time a new connection has to complete its WebSocket upgrade. */
    public Builder handshakeTimeout(Duration value) {
      handshakeTimeout = value;
      return this;
    }

    /** Sets how connections authenticate (see {@link AuthConfig}). */
    public Builder auth(AuthConfig value) {
      auth = value;
      return this;
    }

    /** Sets the collection conflict rules, {@code <pattern>=<lww|server-wins|reject>}. */
    public Builder collectionRules(List<String> value) {
      collectionRules = value;
      return this;
    }

    /** Sets the largest collection record, in bytes of JSON. */
    public Builder maxRecordBytes(int value) {
      maxRecordBytes = value;
      return this;
    }

    /** Sets how long collection tombstones are kept ({@link Duration#ZERO}: forever). */
    public Builder tombstoneRetention(Duration value) {
      tombstoneRetention = value;
      return this;
    }

    /**
     * Validates and returns the configuration.
     *
     * @throws PatchbayException with code 400 naming the first invalid setting
     */
    public ServerConfig build() {
      return new ServerConfig(
          host,
          port,
          dataDir,
          store,
          lwwPatterns,
          shards,
          maxFrameBytes,
          maxChangeBytes,
          maxDocBytes,
          sessionTimeout,
          maxChangesPerVersion,
          maxCachedDocs,
          maxConnections,
          maxConnectionsPerAddress,
          messagesPerSecond,
          messageBurst,
          maxOutboundBytes,
          maxOutboundBytesTotal,
          pingInterval,
          idleTimeout,
          handshakeTimeout,
          auth,
          collectionRules,
          maxRecordBytes,
          tombstoneRetention);
    }
  }
}
