package dev.patchbay.client.spi;

/** One open connection to a server, as a {@link Transport} made it. Safe for any thread. */
public interface TransportConnection {

  /**
   * Queues one text message for sending, without blocking.
   *
   * @return {@code false} when the message was not queued (connection closed, or its bounded send
   *     queue is full); the caller treats the connection as lost
   */
  boolean send(String text);

  /** Closes the connection; queued messages may be dropped. Idempotent. */
  void close();
}
