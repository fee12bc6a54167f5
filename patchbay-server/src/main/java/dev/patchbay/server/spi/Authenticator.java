package dev.patchbay.server.spi;

import java.util.concurrent.CompletionStage;

/**
 * Decides, at the WebSocket upgrade and before any message is read, who a client is. The transport
 * takes the token from {@code Authorization: Bearer}, a {@code token-<TOKEN>} or {@code
 * bearer.<TOKEN>} subprotocol, or the {@code token} query parameter, and calls {@link
 * #authenticate(Credentials)}; a rejection answers the upgrade with 401 or 403.
 *
 * <p>Called on an I/O thread: an implementation must not block. One that needs I/O (a token
 * introspection call) returns a stage completed elsewhere; the connection reads nothing until it
 * completes. Implementations must be thread-safe and must never log the token.
 */
public interface Authenticator {

  /**
   * Authenticates a connection's credentials.
   *
   * @return a stage completing with {@link AuthResult.Accepted} or {@link AuthResult.Rejected}; a
   *     stage that fails rejects the upgrade with 401
   */
  CompletionStage<AuthResult> authenticate(Credentials credentials);
}
