package dev.patchbay.server.transport;

import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.DocAccess;
import dev.patchbay.server.spi.Identity;
import dev.patchbay.server.spi.MessageHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
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
 *
 * <p>It also enforces the per-connection limits that need the channel's own state: the message rate
 * (a token bucket; a message over the rate is handed to {@link MessageHandler#onThrottled}, and a
 * connection that keeps sending while throttled is closed with 1008), and liveness (reader-idle
 * events from the {@code IdleStateHandler} at the head of the pipeline: a silent connection is
 * pinged, then closed; one that never completes its upgrade is closed after the handshake timeout).
 */
final class WebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
  private static final Logger log = LoggerFactory.getLogger(WebSocketHandler.class);

  private MessageHandler handler;
  private final Map<String, MessageHandler> routes;
  private final AtomicLong ids;
  private final ConnectionRegistry registry;
  private final OutboundBudget budget;
  private final NettyTransport.Settings settings;
  private final PatchbayMetrics metrics;
  private @Nullable NettyConnection connection;
  private @Nullable TokenBucket bucket;
  private long refusedWindowStart;
  private int refusedInWindow;
  private int idleEvents;
  private boolean pinged;
  private @Nullable ScheduledFuture<?> expiry;

  private static final Identity UNAUTHENTICATED =
      new Identity("unauthenticated", Map.of(), DocAccess.none(), null);

  /** Refused messages are counted over windows of this length to tell a burst from abuse. */
  private static final long ABUSE_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * Creates a handler that serves {@code routes} (path to dialect) beside the main path; every
   * connection counts its queued bytes against the transport's one {@code budget}.
   */
  WebSocketHandler(
      MessageHandler handler,
      Map<String, MessageHandler> routes,
      AtomicLong ids,
      ConnectionRegistry registry,
      OutboundBudget budget,
      NettyTransport.Settings settings,
      PatchbayMetrics metrics) {
    this.handler = handler;
    this.routes = routes;
    this.ids = ids;
    this.registry = registry;
    this.budget = budget;
    this.settings = settings;
    this.metrics = metrics;
  }

  /**
   * Whether the client offered permessage-deflate, so the server may deflate its large messages; an
   * offer the server declined only makes fan-out take the per-connection path.
   */
  static boolean offersDeflate(io.netty.handler.codec.http.HttpHeaders headers) {
    String offered =
        headers.get(io.netty.handler.codec.http.HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
    return offered != null
        && offered.toLowerCase(java.util.Locale.ROOT).contains("permessage-deflate");
  }

  /** The reader-idle check period: the finest of the three liveness settings it serves. */
  static long idleCheckMillis(NettyTransport.Settings settings) {
    return Math.max(
        10,
        Math.min(
            settings.pingInterval().toMillis(),
            Math.min(settings.idleTimeout().toMillis(), settings.handshakeTimeout().toMillis())));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
      onReaderIdle(ctx, idle);
    } else if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake) {
      MessageHandler routed = routes.get(new QueryStringDecoder(handshake.requestUri()).path());
      if (routed != null) {
        handler = routed;
      }
      Identity identity = ctx.channel().attr(UpgradeAuthHandler.IDENTITY).get();
      AuthResult upgradeAuth;
      if (Boolean.TRUE.equals(ctx.channel().attr(UpgradeAuthHandler.AUTH_PENDING).get())) {
        // A route that authenticates by message: no rights until the dialect says otherwise.
        identity = UNAUTHENTICATED;
        upgradeAuth = ctx.channel().attr(UpgradeAuthHandler.UPGRADE_AUTH).get();
      } else {
        if (identity == null) {
          identity = Identity.anonymous(); // a pipeline without the auth handler (embedders, tests)
        }
        upgradeAuth = AuthResult.accept(identity);
      }
      NettyConnection c =
          new NettyConnection(
              "c" + ids.incrementAndGet(),
              ctx.channel(),
              settings.maxOutboundBytes(),
              budget,
              metrics,
              identity,
              upgradeAuth,
              offersDeflate(handshake.requestHeaders()));
      connection = c;
      bucket =
          new TokenBucket(settings.messagesPerSecond(), settings.messageBurst(), System.nanoTime());
      registry.add(c);
      log.debug(
          "event=open conn={} remote={} subject={}",
          c.id(),
          ctx.channel().remoteAddress(),
          identity.subject());
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
      TokenBucket b = bucket;
      long now = System.nanoTime();
      if (b == null || b.tryTake(now)) {
        handler.onMessage(c, ByteBufUtil.getBytes(text.content()));
      } else {
        onOverRate(c, text.text(), now);
      }
    } else if (frame instanceof BinaryWebSocketFrame) {
      c.close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "binary frames are not supported");
    }
  }

  private void onOverRate(NettyConnection c, String text, long now) {
    if (now - refusedWindowStart > ABUSE_WINDOW_NANOS) {
      refusedWindowStart = now;
      refusedInWindow = 0;
    }
    // A client that backs off after a few refusals is fine; one that sends another burst's worth
    // while throttled is not listening, and answering it costs as much as serving it.
    if (++refusedInWindow > settings.messageBurst()) {
      if (c.isOpen()) {
        metrics.closedByServer("rate-limit");
        log.info("event=close conn={} reason=rate-limit refused={}", c.id(), refusedInWindow);
        c.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "rate limit exceeded");
      }
      return;
    }
    handler.onThrottled(c, text);
  }

  private void onReaderIdle(ChannelHandlerContext ctx, IdleStateEvent idle) {
    if (idle.isFirst()) {
      idleEvents = 0;
      pinged = false;
    }
    idleEvents++;
    long silentMillis = idleEvents * idleCheckMillis(settings);
    NettyConnection c = connection;
    if (c == null) {
      if (silentMillis >= settings.handshakeTimeout().toMillis()) {
        log.debug("event=close channel={} reason=handshake-timeout", ctx.channel().id());
        ctx.close();
      }
      return;
    }
    if (silentMillis >= settings.idleTimeout().toMillis()) {
      if (c.isOpen()) {
        metrics.closedByServer("idle");
        log.info("event=close conn={} reason=idle silentMillis={}", c.id(), silentMillis);
        c.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle timeout");
      }
    } else if (!pinged && silentMillis >= settings.pingInterval().toMillis()) {
      pinged = true;
      ctx.writeAndFlush(new PingWebSocketFrame());
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
      log.debug("event=closed conn={}", c.id());
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
