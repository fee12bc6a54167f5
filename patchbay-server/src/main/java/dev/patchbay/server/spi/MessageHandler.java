package dev.patchbay.server.spi;

/**
 * What a wire dialect implements to receive a connection's messages from the transport. The
 * transport calls these methods on its I/O threads: an implementation must not block and must not
 * throw; it hands work to the engine and answers through {@link Connection#send(String)}.
 */
public interface MessageHandler {
  /** Called once when a connection is established. */
  void onOpen(Connection connection);

  /** Called for every text message, in the order received. */
  void onMessage(Connection connection, String text);

  /**
   * Called instead of {@link #onMessage} for a message over the connection's rate limit: the
   * dialect answers it with its "too many requests" error without doing the work. The default
   * ignores the message.
   */
  default void onThrottled(Connection connection, String text) {}

  /** Called once when a connection has closed, for whatever reason. */
  void onClose(Connection connection);
}
