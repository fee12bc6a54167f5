package dev.patchbay.app;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.auth.AuthConfig;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.store.DocStores;
import dev.patchbay.store.sqlite.SqliteStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code patchbay serve}: runs the sync server until SIGTERM or Ctrl-C, then shuts down gracefully.
 * Every option has a {@code PATCHBAY_*} environment variable; a flag wins over the variable.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Runs the sync server (Patches JSON-RPC over WebSocket at /ws).")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--host",
      defaultValue = "${env:PATCHBAY_HOST:-127.0.0.1}",
      description = "Address to bind (env PATCHBAY_HOST, default ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:PATCHBAY_PORT:-8787}",
      description =
          "Port to bind, 0 for any free port (env PATCHBAY_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--data-dir",
      defaultValue = "${env:PATCHBAY_DATA_DIR:-data}",
      description =
          "Directory of the SQLite file (env PATCHBAY_DATA_DIR, default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--store",
      defaultValue = "${env:PATCHBAY_STORE:-sqlite}",
      description = "sqlite (durable) or memory (env PATCHBAY_STORE, default ${DEFAULT-VALUE}).")
  String store;

  @Option(
      names = "--lww",
      split = ",",
      defaultValue = "${env:PATCHBAY_LWW:-}",
      description =
          "Document id pattern for last-write-wins documents, * matches anything; repeat or"
              + " separate with commas (env PATCHBAY_LWW). Other documents use OT.")
  List<String> lww = new ArrayList<>();

  @Option(
      names = "--shards",
      defaultValue = "${env:PATCHBAY_SHARDS:-0}",
      description = "Document executor threads; 0 = max(2, cores) (env PATCHBAY_SHARDS).")
  int shards;

  @Option(
      names = "--max-frame-bytes",
      defaultValue = "${env:PATCHBAY_MAX_FRAME_BYTES:-16777216}",
      description =
          "Largest WebSocket message accepted (env PATCHBAY_MAX_FRAME_BYTES, default ${DEFAULT-VALUE}).")
  int maxFrameBytes;

  @Option(
      names = "--max-change-bytes",
      defaultValue = "${env:PATCHBAY_MAX_CHANGE_BYTES:-4194304}",
      description =
          "Largest change (as JSON) a document stores; larger ones are refused with 413 (env"
              + " PATCHBAY_MAX_CHANGE_BYTES, default ${DEFAULT-VALUE}).")
  int maxChangeBytes;

  @Option(
      names = "--max-doc-bytes",
      defaultValue = "${env:PATCHBAY_MAX_DOC_BYTES:-67108864}",
      description =
          "Largest OT document, estimated as its newest version plus the changes after it; a commit"
              + " past it is refused with 413 (env PATCHBAY_MAX_DOC_BYTES, default ${DEFAULT-VALUE}).")
  long maxDocBytes;

  @Option(
      names = "--session-timeout-minutes",
      defaultValue = "${env:PATCHBAY_SESSION_TIMEOUT_MINUTES:-30}",
      description =
          "Gap between changes that starts a new version (env PATCHBAY_SESSION_TIMEOUT_MINUTES, default ${DEFAULT-VALUE}).")
  long sessionTimeoutMinutes;

  @Option(
      names = "--max-changes-per-version",
      defaultValue = "${env:PATCHBAY_MAX_CHANGES_PER_VERSION:-1000}",
      description =
          "Cut a version at least every N changes, 0 disables (env PATCHBAY_MAX_CHANGES_PER_VERSION, default ${DEFAULT-VALUE}).")
  int maxChangesPerVersion;

  @Option(
      names = "--max-cached-docs",
      defaultValue = "${env:PATCHBAY_MAX_CACHED_DOCS:-10000}",
      description =
          "Documents kept loaded in memory (env PATCHBAY_MAX_CACHED_DOCS, default ${DEFAULT-VALUE}).")
  int maxCachedDocs;

  @Option(
      names = "--durability",
      defaultValue = "${env:PATCHBAY_DURABILITY:-power-loss}",
      description =
          "SQLite durability: power-loss (fsync every group commit) or process-crash (fsync at"
              + " checkpoints) (env PATCHBAY_DURABILITY, default ${DEFAULT-VALUE}).")
  String durability;

  @Option(
      names = "--max-connections",
      defaultValue = "${env:PATCHBAY_MAX_CONNECTIONS:-10000}",
      description =
          "Open WebSocket connections in total; more upgrades answer 503 (env PATCHBAY_MAX_CONNECTIONS, default ${DEFAULT-VALUE}).")
  int maxConnections;

  @Option(
      names = "--max-connections-per-address",
      defaultValue = "${env:PATCHBAY_MAX_CONNECTIONS_PER_ADDRESS:-100}",
      description =
          "Open WebSocket connections per client IP address; more upgrades answer 429 (env PATCHBAY_MAX_CONNECTIONS_PER_ADDRESS, default ${DEFAULT-VALUE}).")
  int maxConnectionsPerAddress;

  @Option(
      names = "--max-messages-per-second",
      defaultValue = "${env:PATCHBAY_MAX_MESSAGES_PER_SECOND:-200}",
      description =
          "Sustained messages per second per connection; more answer 429 (env PATCHBAY_MAX_MESSAGES_PER_SECOND, default ${DEFAULT-VALUE}).")
  int messagesPerSecond;

  @Option(
      names = "--message-burst",
      defaultValue = "${env:PATCHBAY_MESSAGE_BURST:-400}",
      description =
          "Messages a connection may send at once above its rate (env PATCHBAY_MESSAGE_BURST, default ${DEFAULT-VALUE}).")
  int messageBurst;

  @Option(
      names = "--max-outbound-bytes",
      defaultValue = "${env:PATCHBAY_MAX_OUTBOUND_BYTES:-8388608}",
      description =
          "Bytes queued for a client that does not read before it is closed with 1013 (env PATCHBAY_MAX_OUTBOUND_BYTES, default ${DEFAULT-VALUE}).")
  int maxOutboundBytes;

  @Option(
      names = "--max-outbound-bytes-total",
      defaultValue = "${env:PATCHBAY_MAX_OUTBOUND_BYTES_TOTAL:-0}",
      description =
          "Bytes queued for all clients together; past this, a client with 64 KiB or more queued is closed with 1013; 0 means a quarter of the JVM's maximum heap (env PATCHBAY_MAX_OUTBOUND_BYTES_TOTAL, default ${DEFAULT-VALUE}).")
  long maxOutboundBytesTotal;

  @Option(
      names = "--ping-interval-seconds",
      defaultValue = "${env:PATCHBAY_PING_INTERVAL_SECONDS:-30}",
      description =
          "Silence after which a connection is pinged (env PATCHBAY_PING_INTERVAL_SECONDS, default ${DEFAULT-VALUE}).")
  long pingIntervalSeconds;

  @Option(
      names = "--idle-timeout-seconds",
      defaultValue = "${env:PATCHBAY_IDLE_TIMEOUT_SECONDS:-60}",
      description =
          "Silence after which a connection is closed with 1001 (env PATCHBAY_IDLE_TIMEOUT_SECONDS, default ${DEFAULT-VALUE}).")
  long idleTimeoutSeconds;

  @Option(
      names = "--handshake-timeout-seconds",
      defaultValue = "${env:PATCHBAY_HANDSHAKE_TIMEOUT_SECONDS:-10}",
      description =
          "Time a new connection has to complete its WebSocket upgrade (env PATCHBAY_HANDSHAKE_TIMEOUT_SECONDS, default ${DEFAULT-VALUE}).")
  long handshakeTimeoutSeconds;

  @Option(
      names = "--auth",
      defaultValue = "${env:PATCHBAY_AUTH:-none}",
      description =
          "none (open: anyone may read and write everything), jwt or tokens (env PATCHBAY_AUTH,"
              + " default ${DEFAULT-VALUE}).")
  String auth;

  @Option(
      names = "--jwt-secret-file",
      defaultValue = "${env:PATCHBAY_JWT_SECRET_FILE}",
      description =
          "File holding the HS256 secret, at least 32 bytes (env PATCHBAY_JWT_SECRET_FILE).")
  @Nullable Path jwtSecretFile;

  @Option(
      names = "--jwt-public-key-file",
      defaultValue = "${env:PATCHBAY_JWT_PUBLIC_KEY_FILE}",
      description =
          "PEM public key (RSA or EC) for RS256/ES256 tokens (env PATCHBAY_JWT_PUBLIC_KEY_FILE).")
  @Nullable Path jwtPublicKeyFile;

  @Option(
      names = "--jwks-file",
      defaultValue = "${env:PATCHBAY_JWKS_FILE}",
      description = "JSON Web Key Set file of RSA/EC public keys (env PATCHBAY_JWKS_FILE).")
  @Nullable Path jwksFile;

  @Option(
      names = "--jwt-issuer",
      defaultValue = "${env:PATCHBAY_JWT_ISSUER}",
      description = "Required iss claim of tokens (env PATCHBAY_JWT_ISSUER).")
  @Nullable String jwtIssuer;

  @Option(
      names = "--jwt-audience",
      defaultValue = "${env:PATCHBAY_JWT_AUDIENCE}",
      description = "Required aud claim of tokens (env PATCHBAY_JWT_AUDIENCE).")
  @Nullable String jwtAudience;

  @Option(
      names = "--jwt-clock-skew-seconds",
      defaultValue = "${env:PATCHBAY_JWT_CLOCK_SKEW_SECONDS:-60}",
      description =
          "Tolerance for exp and nbf (env PATCHBAY_JWT_CLOCK_SKEW_SECONDS, default ${DEFAULT-VALUE}).")
  long jwtClockSkewSeconds;

  @Option(
      names = "--token-file",
      defaultValue = "${env:PATCHBAY_TOKEN_FILE}",
      description =
          "Static tokens, one '<token> read=<globs> write=<globs> sub=<name>' a line (env"
              + " PATCHBAY_TOKEN_FILE).")
  @Nullable Path tokenFile;

  @Option(
      names = "--collection-rule",
      split = ",",
      defaultValue = "${env:PATCHBAY_COLLECTION_RULE:-}",
      description =
          "Conflict rule of record collections, <pattern>=<lww|server-wins|reject>, * matches"
              + " anything; repeat or separate with commas, first match wins, lww otherwise (env"
              + " PATCHBAY_COLLECTION_RULE).")
  List<String> collectionRules = new ArrayList<>();

  @Option(
      names = "--max-record-bytes",
      defaultValue = "${env:PATCHBAY_MAX_RECORD_BYTES:-1048576}",
      description =
          "Largest collection record as JSON; HTTP bodies may be 4 KiB larger (env"
              + " PATCHBAY_MAX_RECORD_BYTES, default ${DEFAULT-VALUE}).")
  int maxRecordBytes;

  @Option(
      names = "--tombstone-retention-days",
      defaultValue = "${env:PATCHBAY_TOMBSTONE_RETENTION_DAYS:-90}",
      description =
          "Days a deleted collection record is kept as a tombstone before the hourly purge; 0"
              + " keeps them forever (env PATCHBAY_TOMBSTONE_RETENTION_DAYS, default"
              + " ${DEFAULT-VALUE}).")
  int tombstoneRetentionDays;

  @Option(
      names = "--warm-up",
      arity = "1",
      defaultValue = "${env:PATCHBAY_WARM_UP:-true}",
      description =
          "Before serving, run commits and a cold document open on a throw-away SQLite file, so"
              + " the first clients of a restarted server are not slowed by cold code; about a"
              + " second of start-up (env PATCHBAY_WARM_UP, default ${DEFAULT-VALUE}).")
  boolean warmUp;

  @Option(
      names = "--warm-up-seconds",
      paramLabel = "<seconds>",
      defaultValue = "${env:PATCHBAY_WARM_UP_SECONDS:-0}",
      description =
          "Before serving, drive this many seconds of real traffic (broadcast and commit"
              + " workloads) through a throw-away server on a temporary SQLite file and an"
              + " ephemeral loopback port, so a server restarted under heavy load meets it with"
              + " compiled code; 0 skips it (env PATCHBAY_WARM_UP_SECONDS, default"
              + " ${DEFAULT-VALUE}).")
  int warmUpSeconds;

  @Override
  public Integer call() {
    ServerConfig config;
    DocStore docStore;
    try {
      if (warmUpSeconds < 0 || warmUpSeconds > 600) {
        throw new IllegalArgumentException(
            "--warm-up-seconds must be between 0 and 600, was " + warmUpSeconds);
      }
      List<String> patterns = lww.stream().map(String::trim).filter(p -> !p.isEmpty()).toList();
      config =
          ServerConfig.builder()
              .host(host)
              .port(port)
              .dataDir(dataDir)
              .store(store)
              .lwwPatterns(patterns)
              .shards(shards == 0 ? ServerConfig.defaults().shards() : shards)
              .maxFrameBytes(maxFrameBytes)
              .maxChangeBytes(maxChangeBytes)
              .maxDocBytes(maxDocBytes)
              .sessionTimeout(Duration.ofMinutes(sessionTimeoutMinutes))
              .maxChangesPerVersion(maxChangesPerVersion)
              .maxCachedDocs(maxCachedDocs)
              .maxConnections(maxConnections)
              .maxConnectionsPerAddress(maxConnectionsPerAddress)
              .messagesPerSecond(messagesPerSecond)
              .messageBurst(messageBurst)
              .maxOutboundBytes(maxOutboundBytes)
              .maxOutboundBytesTotal(maxOutboundBytesTotal)
              .pingInterval(Duration.ofSeconds(pingIntervalSeconds))
              .idleTimeout(Duration.ofSeconds(idleTimeoutSeconds))
              .handshakeTimeout(Duration.ofSeconds(handshakeTimeoutSeconds))
              .auth(authConfig())
              .collectionRules(
                  collectionRules.stream().map(String::trim).filter(r -> !r.isEmpty()).toList())
              .maxRecordBytes(maxRecordBytes)
              .tombstoneRetention(Duration.ofDays(tombstoneRetentionDays))
              .build();
      docStore = openStore(config);
      if (warmUp) {
        dev.patchbay.store.sqlite.WarmUp.run(Duration.ofSeconds(5));
      }
      if (warmUpSeconds > 0) {
        System.err.println(
            "patchbay: warming up for " + warmUpSeconds + " s with traffic (--warm-up-seconds)");
        dev.patchbay.loadgen.TrafficWarmUp.run(Duration.ofSeconds(warmUpSeconds));
      }
    } catch (PatchbayException | IllegalArgumentException e) {
      System.err.println("patchbay: " + e.getMessage());
      return 2;
    }
    PatchbayServer server;
    try {
      server = PatchbayServer.start(config, docStore);
    } catch (PatchbayException e) {
      // An unreadable key or token file; the store was closed by start().
      System.err.println("patchbay: " + e.getMessage());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "patchbay-shutdown"));
    // A machine-readable line for scripts and tests that start the server on port 0.
    System.out.println(
        "patchbay listening on ws://"
            + server.address().getHostString()
            + ":"
            + server.address().getPort()
            + "/ws"
            + " (store "
            + config.store()
            + (config.store().equals("sqlite") ? " in " + config.dataDir().toAbsolutePath() : "")
            + ")");
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  AuthConfig authConfig() {
    return new AuthConfig(
        AuthConfig.Mode.parse(auth),
        jwtSecretFile,
        jwtPublicKeyFile,
        jwksFile,
        blankToNull(jwtIssuer),
        blankToNull(jwtAudience),
        Duration.ofSeconds(jwtClockSkewSeconds),
        tokenFile);
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private DocStore openStore(ServerConfig config) {
    if (config.store().equals("memory")) {
      return DocStores.inMemory();
    }
    SqliteStores.Durability mode =
        switch (durability) {
          case "power-loss" -> SqliteStores.Durability.POWER_LOSS_SAFE;
          case "process-crash" -> SqliteStores.Durability.PROCESS_CRASH_SAFE;
          default ->
              throw new IllegalArgumentException(
                  "Invalid configuration: durability must be power-loss or process-crash, was "
                      + durability);
        };
    return SqliteStores.builder(config.dataDir()).durability(mode).open();
  }
}
