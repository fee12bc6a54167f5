package dev.patchbay.client.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Opens connections to a server that speaks the Patches JSON-RPC protocol: one JSON-RPC message per
 * text message. The default is a JDK {@code java.net.http.WebSocket}; tests plug in in-memory
 * pairs.
 */
public interface Transport {

  /**
   * Starts opening a connection. The client applies its own connect timeout and cancels the
   * returned future when it expires. It calls this once per attempt with a request built anew
   * (fresh token, fresh address); a transport sends the request's headers with its handshake.
   *
   * @param request where to connect and the handshake headers
   * @param listener receives the connection's messages and its end
   * @return completes with the open connection, or exceptionally when it could not be opened
   */
  CompletableFuture<TransportConnection> connect(
      ConnectRequest request, TransportListener listener);
}
