package dev.patchbay.server.spi;

import org.jspecify.annotations.Nullable;

/**
 * One client connection as the engine and the dialects see it, whatever carries it (a Netty
 * WebSocket today, another server when Patchbay is embedded). Every method is thread-safe and never
 * blocks.
 */
public interface Connection {
  /**
   * Returns the connection's id, unique within this server process (stamped as {@code clientId}).
   */
  String id();

  /** Queues a text message for the client. Messages are delivered in the order they were queued. */
  void send(String text);

  /**
   * Queues a text message given as its UTF-8 bytes, in order with {@link #send(String)}. Fan-out
   * encodes a message once and hands the same array to every subscriber, so implementations must
   * not modify it, and callers must not either once it is sent.
   */
  void send(byte[] utf8Text);

  /**
   * Queues a message as {@link #send(byte[])} does, for fan-out: the caller hands the same array to
   * many connections one after another on one thread, so a transport may encode it once for all of
   * them. The default is {@link #send(byte[])}.
   */
  default void sendShared(byte[] utf8Text) {
    send(utf8Text);
  }

  /** Returns whether the connection can take more messages without growing its buffer. */
  boolean isWritable();

  /** Closes the connection with a WebSocket close code and a short reason. */
  void close(int code, String reason);

  /** Returns whether the connection is still open. */
  boolean isOpen();

  /**
   * Returns who the connection was authenticated as at the upgrade; {@link Identity#anonymous()}
   * (every right) when the server runs without authentication.
   */
  default Identity identity() {
    return Identity.anonymous();
  }

  /**
   * Returns what authentication decided at the upgrade. On the Patches route every connection is
   * authenticated ({@link AuthResult.Accepted}) or never opens. The collection routes also accept a
   * token in the first message, so there a connection may open with a {@link AuthResult.Rejected}
   * (a token was offered and refused: the dialect reports it and closes) or with {@code null} (no
   * token was offered: the dialect waits for its {@code auth} message).
   */
  default @Nullable AuthResult upgradeAuth() {
    return AuthResult.accept(identity());
  }
}
