package dev.patchbay.server.transport;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

/**
 * permessage-deflate (RFC 7692) as Patchbay negotiates it. Outbound messages shorter than {@link
 * #MIN_COMPRESSED_BYTES} go out uncompressed (the extension allows it per message): deflating a
 * 200-byte change notification costs more CPU than the bytes it saves, and fan-out sends many of
 * them. Inbound messages are inflated with the given cap on their inflated size.
 */
final class Compression {
  /** The smallest outbound message worth deflating, as the {@code ws} library also chooses. */
  static final int MIN_COMPRESSED_BYTES = 1024;

  private Compression() {}

  static WebSocketServerExtensionHandler handler(int maxInflatedBytes) {
    WebSocketExtensionFilter skipSmall =
        (WebSocketFrame frame) -> frame.content().readableBytes() < MIN_COMPRESSED_BYTES;
    WebSocketExtensionFilterProvider filters =
        new WebSocketExtensionFilterProvider() {
          @Override
          public WebSocketExtensionFilter encoderFilter() {
            return skipSmall;
          }

          @Override
          public WebSocketExtensionFilter decoderFilter() {
            return WebSocketExtensionFilter.NEVER_SKIP;
          }
        };
    return new WebSocketServerExtensionHandler(
        new PerMessageDeflateServerExtensionHandshaker(
            6,
            false,
            PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
            false,
            false,
            filters,
            maxInflatedBytes));
  }
}
