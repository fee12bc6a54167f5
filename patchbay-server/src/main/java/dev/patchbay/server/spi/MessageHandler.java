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
   * Called for every text message as the UTF-8 bytes the transport received (already checked to be
   * valid UTF-8), in the order received. The transport calls this one; the default decodes the text
   * and calls {@link #onMessage(Connection, String)}. A dialect that parses JSON overrides it to
   * parse the bytes directly, without building a string of the message first.
   */
  default void onMessage(Connection connection, byte[] utf8) {
    onMessage(connection, new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Called instead of {@link #onMessage} for a message over the connection's rate limit: the
   * dialect answers it with its "too many requests" error without doing the work. The default
   * ignores the message.
   */
  default void onThrottled(Connection connection, String text) {}

  /** Called once when a connection has closed, for whatever reason. */
  void onClose(Connection connection);
}
