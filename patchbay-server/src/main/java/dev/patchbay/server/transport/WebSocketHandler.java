package dev.patchbay.server.transport;

import dev.patchbay.server.spi.Identity;
import dev.patchbay.server.spi.MessageHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns WebSocket frames of one channel into {@link MessageHandler} calls. Control frames (ping,
 * pong, close) are answered by Netty's protocol handler before they get here; binary frames are
 * refused with 1003 because every dialect speaks JSON text.
 */
final class WebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);

  private final MessageHandler handler;
  private final AtomicLong ids;
  private final ConnectionRegistry registry;
  private @Nullable NettyConnection connection;
  private @Nullable ScheduledFuture<?> expiry;

  WebSocketHandler(MessageHandler handler, AtomicLong ids, ConnectionRegistry registry) {
    this.handler = handler;
    this.ids = ids;
    this.registry = registry;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      Identity identity = ctx.channel().attr(UpgradeAuthHandler.IDENTITY).get();
      if (identity == null) {
        identity = Identity.anonymous(); // a pipeline without the auth handler (embedders, tests)
      }
      NettyConnection c = new NettyConnection("c" + ids.incrementAndGet(), ctx.channel(), identity);
      connection = c;
      registry.add(c);
      log.debug(
          "{} opened from {} as {}", c.id(), ctx.channel().remoteAddress(), identity.subject());
      Instant expiresAt = identity.expiresAt();
      if (expiresAt != null) {
        long delay = Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis());
        expiry =
            ctx.executor()
                .schedule(
                    () -> c.close(Identity.CLOSE_TOKEN_EXPIRED, "token expired"),
                    delay,
                    TimeUnit.MILLISECONDS);
      }
      handler.onOpen(c);
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    NettyConnection c = connection;
    if (c == null) {
      return;
    }
    if (frame instanceof TextWebSocketFrame text) {
      handler.onMessage(c, text.text());
    } else if (frame instanceof BinaryWebSocketFrame) {
      c.close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "binary frames are not supported");
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    ScheduledFuture<?> timer = expiry;
    if (timer != null) {
      timer.cancel(false);
      expiry = null;
    }
    NettyConnection c = connection;
    if (c != null) {
      connection = null;
      registry.remove(c);
      log.debug("{} closed", c.id());
      handler.onClose(c);
    }
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    NettyConnection c = connection;
    if (cause instanceof CorruptedWebSocketFrameException corrupted && c != null) {
      // Oversized or malformed frame: tell the client why, with the code Netty chose (1009/1002).
      c.close(corrupted.closeStatus().code(), corrupted.closeStatus().reasonText());
      return;
    }
    if (cause instanceof TooLongFrameException && c != null) {
      c.close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
      return;
    }
    log.debug(
        "closing {} after a transport error: {}",
        c == null ? ctx.channel() : c.id(),
        cause.toString());
    ctx.close();
  }
}
