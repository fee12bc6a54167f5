package dev.patchbay.client.spi;

import java.util.concurrent.CompletableFuture;

/** One open connection to a server, as a {@link Transport} made it. Safe for any thread. */
public interface TransportConnection {

  /**
   * Queues one text message for sending, without blocking.
   *
   * @return {@code false} when the message was not queued (connection closed, or its bounded send
   *     queue is full); the caller treats the connection as lost
   */
  boolean send(String text);

  /**
   * Sends a heartbeat and returns a future that completes when the server answers it (a WebSocket
   * ping and its pong). The default answers at once, for transports with their own liveness check.
   */
  default CompletableFuture<Void> ping() {
    return CompletableFuture.completedFuture(null);
  }

  /** Closes the connection; queued messages may be dropped. Idempotent. */
  void close();
}
