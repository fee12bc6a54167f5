package dev.patchbay.loadgen;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.server.store.DocStores;
import dev.patchbay.store.sqlite.SqliteStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What a workload drives: a Patchbay server this process starts (memory or SQLite in a temporary
 * directory, deleted on close) or a server already running at a loopback URL.
 */
final class Target implements AutoCloseable {
  private final URI uri;
  private final String system;
  private final @Nullable AutoCloseable server;
  private final @Nullable Path tempDir;

  private Target(URI uri, String system, @Nullable AutoCloseable server, @Nullable Path tempDir) {
    this.uri = uri;
    this.system = system;
    this.server = server;
    this.tempDir = tempDir;
  }

  /**
   * Starts an in-process Patchbay server on 127.0.0.1 over {@code store} ({@code memory} or {@code
   * sqlite}, the durable default: fsync at every group commit) with the per-client limits lifted,
   * since every driver connection shares one address and sends flat out.
   */
  static Target inProcess(String store, int maxConnections) {
    Path dir = tempDir();
    ServerConfig config = benchConfig(store, dir, maxConnections);
    DocStore docStore = openStore(store, dir);
    PatchbayServer server = PatchbayServer.start(config, docStore);
    URI uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
    return new Target(uri, "patchbay-" + store, server, dir);
  }

  /** A server already running at {@code url}, which must be a loopback address. */
  static Target url(URI url, String system) {
    requireLoopback(url);
    return new Target(url, system, null, null);
  }

  /** A bare WebSocket echo server (see {@link EchoServer}) started in this process. */
  static Target echo() {
    EchoServer echo = EchoServer.start();
    return new Target(echo.uri(), "echo", echo, null);
  }

  static ServerConfig benchConfig(String store, Path dir, int maxConnections) {
    int connections = Math.max(maxConnections, 1_000);
    return ServerConfig.builder()
        .host("127.0.0.1")
        .port(0)
        .store(store)
        .dataDir(dir)
        .maxConnections(connections)
        .maxConnectionsPerAddress(connections)
        .messagesPerSecond(1_000_000)
        .messageBurst(1_000_000)
        .build();
  }

  static DocStore openStore(String store, Path dir) {
    return switch (store) {
      case "memory" -> DocStores.inMemory();
      case "sqlite" -> SqliteStores.builder(dir).open();
      default -> throw new IllegalArgumentException("store must be memory or sqlite, was " + store);
    };
  }

  static void requireLoopback(URI url) {
    if (!"ws".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("--url must be ws://127.0.0.1:PORT/ws, was " + url);
    }
    try {
      if (!InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
        throw new IllegalArgumentException(
            "--url must be a loopback address (the bench only drives this machine), was " + url);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--url host unknown: " + url.getHost(), e);
    }
  }

  static Path tempDir() {
    try {
      return Files.createTempDirectory("patchbay-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: a temporary directory left behind is not worth failing a run.
    }
  }

  URI uri() {
    return uri;
  }

  /**
   * The system label reported: {@code patchbay-memory}, {@code patchbay-sqlite}, echo, or given.
   */
  String system() {
    return system;
  }

  @Override
  public void close() {
    if (server != null) {
      try {
        server.close();
      } catch (Exception e) {
        throw new IllegalStateException("closing the bench server failed", e);
      }
    }
    if (tempDir != null) {
      deleteTree(tempDir);
    }
  }
}
