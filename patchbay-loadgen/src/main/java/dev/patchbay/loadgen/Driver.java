package dev.patchbay.loadgen;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * The driver's client side: a few Netty event loop threads ({@code patchbay-bench-io-*}) that all
 * connections share. Connections are opened with a bounded number of handshakes in flight.
 */
final class Driver implements AutoCloseable {
  private static final int HANDSHAKES_IN_FLIGHT = 64;
  private final EventLoopGroup group;

  Driver(int threads) {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("--threads must be between 1 and 64, was " + threads);
    }
    group =
        new MultiThreadIoEventLoopGroup(
            threads,
            new DefaultThreadFactory("patchbay-bench-io", true),
            NioIoHandler.newFactory());
  }

  /** Opens one connection, waiting at most 30 s. */
  WsClient connect(URI uri) {
    return connectAll(uri, 1).get(0);
  }

  /** Opens {@code count} connections to {@code uri}; throws if any fails or 30 s pass for one. */
  List<WsClient> connectAll(URI uri, int count) {
    return connectAll(i -> uri, count);
  }

  /** Opens connection {@code i} to {@code uriOf(i)} for i below {@code count}. */
  List<WsClient> connectAll(IntFunction<URI> uriOf, int count) {
    Semaphore inFlight = new Semaphore(HANDSHAKES_IN_FLIGHT);
    List<CompletableFuture<WsClient>> futures = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        if (!inFlight.tryAcquire(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("connecting: no handshake completed within 30 s");
        }
        CompletableFuture<WsClient> f = WsClient.connect(group, uriOf.apply(i));
        f.whenComplete((c, e) -> inFlight.release());
        futures.add(f);
      }
      List<WsClient> clients = new ArrayList<>(count);
      for (CompletableFuture<WsClient> f : futures) {
        clients.add(f.get(30, TimeUnit.SECONDS));
      }
      return clients;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot connect to " + uriOf.apply(0) + ": " + (e.getCause() != null ? e.getCause() : e),
          e);
    }
  }

  /** Closes every connection in {@code clients}, waiting at most 10 s. */
  static void closeAll(List<WsClient> clients) {
    CompletableFuture<?>[] closing =
        clients.stream().map(WsClient::close).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(closing).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Closing is best effort at the end of a run.
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
