package dev.patchbay.server;

import dev.patchbay.server.auth.Authenticators;
import dev.patchbay.server.collections.CollectionService;
import dev.patchbay.server.engine.Engine;
import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.patches.PatchesRpcHandler;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.CollectionStore;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.transport.NettyTransport;
import dev.patchbay.server.transport.StatusPage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Patchbay server: the engine over a store, the Patches dialect, and the Netty transport
 * on one port. {@link #close()} shuts down gracefully: it stops accepting, lets queued and
 * in-flight commits finish, closes the connections and then the store.
 *
 * <pre>{@code
 * try (PatchbayServer server = PatchbayServer.start(ServerConfig.defaults(), store)) {
 *   server.awaitShutdown();
 * }
 * }</pre>
 */
public final class PatchbayServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PatchbayServer.class);

  private final DocStore store;
  private final Engine engine;
  private final PatchesRpcHandler patches;
  private final NettyTransport transport;
  private final InetSocketAddress address;
  private final PatchbayMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();
  private @Nullable CollectionService collections;
  private final long startedAt = System.nanoTime();

  private PatchbayServer(
      DocStore store,
      Engine engine,
      PatchesRpcHandler patches,
      NettyTransport transport,
      InetSocketAddress address,
      PatchbayMetrics metrics) {
    this.metrics = metrics;
    this.store = store;
    this.engine = engine;
    this.patches = patches;
    this.transport = transport;
    this.address = address;
  }

  /**
   * Starts a server over {@code store}, which it owns from now on (closed by {@link #close()}).
   *
   * @throws java.io.UncheckedIOException when the port cannot be bound
   */
  public static PatchbayServer start(ServerConfig config, DocStore store) {
    Authenticator authenticator;
    try {
      authenticator = Authenticators.fromConfig(config.auth());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    if (!Authenticators.isOpen(authenticator)) {
      log.info(
          "authentication: {}", config.auth().mode().name().toLowerCase(java.util.Locale.ROOT));
    }
    return start(config, store, authenticator, Authorizer.byIdentity());
  }

  /**
   * Starts a server over {@code store} (which it owns from now on) with an embedder's
   * authentication: {@code authenticator} decides at every WebSocket upgrade, {@code authorizer} at
   * every document call. {@link ServerConfig#auth()} is ignored.
   *
   * @throws java.io.UncheckedIOException when the port cannot be bound
   */
  public static PatchbayServer start(
      ServerConfig config, DocStore store, Authenticator authenticator, Authorizer authorizer) {
    if (Authenticators.isOpen(authenticator)) {
      log.warn(
          "AUTHENTICATION IS OFF: every client can read, change and delete every document."
              + " Bind to loopback only, or start with --auth jwt or --auth tokens.");
    }
    PatchbayMetrics metrics = new PatchbayMetrics();
    PatchesRpcHandler patches = new PatchesRpcHandler(metrics, authorizer);
    Engine engine =
        new Engine(
            store,
            new Engine.Settings(
                config.shards(),
                config.sessionTimeout(),
                config.maxChangesPerVersion(),
                config.maxCachedDocs(),
                config.lwwPatterns(),
                100_000,
                config.maxChangeBytes(),
                config.maxDocBytes()),
            patches,
            System::currentTimeMillis);
    patches.bind(engine);
    PatchbayServer[] self = new PatchbayServer[1];
    NettyTransport transport =
        new NettyTransport(
            new NettyTransport.Settings(
                config.host(),
                config.port(),
                "/ws",
                config.maxFrameBytes(),
                config.maxConnections(),
                config.maxConnectionsPerAddress(),
                config.messagesPerSecond(),
                config.messageBurst(),
                config.maxOutboundBytes(),
                config.maxOutboundBytesTotal(),
                config.pingInterval(),
                config.idleTimeout(),
                config.handshakeTimeout()),
            patches,
            () -> self[0].status(),
            metrics,
            authenticator);
    CollectionService collections = null;
    CollectionStore collectionStore = store.collections();
    if (collectionStore != null) {
      collections =
          new CollectionService(
              collectionStore,
              new CollectionService.Settings(
                  config.collectionRules(),
                  config.shards(),
                  config.maxRecordBytes(),
                  config.handshakeTimeout(),
                  Duration.ofHours(24),
                  config.tombstoneRetention()),
              authenticator,
              authorizer,
              System::currentTimeMillis,
              metrics);
      transport.setHttpEndpoint(
          "/sync/", collections.httpEndpoint(), config.maxRecordBytes() + 4096);
      transport.addWebSocketRoute("/sync/ws", collections.syncLayerHandler());
      transport.addWebSocketRoute("/notes/ws", collections.notesHandler());
    }
    metrics.bindGauges(transport::connectionCount, engine::loadedDocuments);
    InetSocketAddress address;
    try {
      address = transport.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(collections);
      engine.close();
      throw new IllegalStateException("interrupted while binding", e);
    } catch (RuntimeException e) {
      transport.close();
      closeQuietly(collections);
      engine.close();
      throw new java.io.UncheckedIOException(
          "Cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(),
          new java.io.IOException(e));
    }
    self[0] = new PatchbayServer(store, engine, patches, transport, address, metrics);
    self[0].collections = collections;
    log.info("patchbay listening on ws://{}:{}/ws", address.getHostString(), address.getPort());
    return self[0];
  }

  /** Returns the collection service, or {@code null} when the store keeps no collections. */
  public @Nullable CollectionService collections() {
    return collections;
  }

  private static void closeQuietly(@Nullable CollectionService collections) {
    if (collections != null) {
      collections.close();
    }
  }

  /** Returns the bound address. */
  public InetSocketAddress address() {
    return address;
  }

  /** Returns the server's metrics (served at {@code GET /metrics}). */
  public PatchbayMetrics metrics() {
    return metrics;
  }

  /** Returns the engine (for embedding and tests). */
  public Engine engine() {
    return engine;
  }

  /** Returns what the status page shows now. */
  public StatusPage status() {
    return new StatusPage(
        version(),
        Duration.ofNanos(System.nanoTime() - startedAt),
        engine.loadedDocuments(),
        transport.connectionCount());
  }

  /** Returns the Patchbay version from the jar manifest, or {@code dev} when run from classes. */
  public static String version() {
    String v = PatchbayServer.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Stops accepting, finishes in-flight commits, closes connections and the store. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.info("patchbay shutting down");
    transport.stopAccepting();
    engine.startClosing();
    if (!patches.awaitAnswered(Duration.ofSeconds(10))) {
      log.warn("some requests were still unanswered after 10 s; closing anyway");
    }
    closeQuietly(collections);
    engine.close();
    transport.close();
    store.close();
    log.info("patchbay stopped");
  }
}
