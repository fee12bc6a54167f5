package dev.patchbay.server.transport;

import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Credentials;
import dev.patchbay.server.spi.Identity;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates the WebSocket upgrade request before the handshake, so a rejected client never gets
 * to send a message. The token comes from {@code Authorization: Bearer}, a {@code token-<TOKEN>} or
 * {@code bearer.<TOKEN>} subprotocol, or the {@code token} query parameter, in that order. When a
 * subprotocol carried it, the request's offer is narrowed to that subprotocol so the handshake
 * selects it (browsers fail a handshake that selects none of the offered subprotocols).
 *
 * <p>Accepted: the identity goes on the channel ({@link #IDENTITY}) and the request goes on to the
 * handshake. Rejected: HTTP 401/403 with the reason as plain text, then close. Tokens are never
 * logged.
 */
final class UpgradeAuthHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(UpgradeAuthHandler.class);

  /** The identity a connection was authenticated as. */
  static final AttributeKey<Identity> IDENTITY = AttributeKey.valueOf("patchbay.identity");

  private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(10);

  /**
   * On a route that also authenticates by message: the upgrade's decision when a token was offered
   * (accepted or rejected); absent when none was.
   */
  static final AttributeKey<AuthResult> UPGRADE_AUTH = AttributeKey.valueOf("patchbay.upgradeAuth");

  /** Set on a connection of such a route that opened without being authenticated. */
  static final AttributeKey<Boolean> AUTH_PENDING = AttributeKey.valueOf("patchbay.authPending");

  private final Authenticator authenticator;
  private final Set<String> deferredPaths;

  UpgradeAuthHandler(Authenticator authenticator) {
    this(authenticator, Set.of());
  }

  /**
   * Creates a handler; upgrades to {@code deferredPaths} are let through even when refused: their
   * dialect reports the refusal, or authenticates by its first message.
   */
  UpgradeAuthHandler(Authenticator authenticator, Set<String> deferredPaths) {
    this.authenticator = authenticator;
    this.deferredPaths = Set.copyOf(deferredPaths);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    boolean deferred = deferredPaths.contains(new QueryStringDecoder(request.uri()).path());
    String token = takeToken(request);
    Credentials credentials = new Credentials(token, String.valueOf(ctx.channel().remoteAddress()));
    CompletionStage<AuthResult> decision;
    try {
      decision = authenticator.authenticate(credentials);
    } catch (RuntimeException e) {
      log.warn("authenticator failed: {}", e.getClass().getName());
      reject(ctx, request, 401, "authentication failed");
      return;
    }
    // Read nothing more from this client until the decision is in, and wait for it no longer than
    // AUTH_TIMEOUT: an authenticator that never answers must not pin the connection.
    ctx.channel().config().setAutoRead(false);
    AtomicBoolean decided = new AtomicBoolean();
    ScheduledFuture<?> timeout =
        ctx.executor()
            .schedule(
                () -> {
                  if (decided.compareAndSet(false, true)) {
                    log.warn("authenticator gave no answer within {}", AUTH_TIMEOUT);
                    reject(ctx, request, 401, "authentication timed out");
                  }
                },
                AUTH_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
    decision.whenComplete(
        (result, error) ->
            ctx.executor()
                .execute(
                    () -> {
                      if (decided.compareAndSet(false, true)) {
                        timeout.cancel(false);
                        if (deferred) {
                          decideDeferred(
                              ctx, request, token != null, error == null ? result : null);
                        } else {
                          decide(ctx, request, error == null ? result : null, error);
                        }
                      }
                    }));
  }

  /** A deferred route opens either way; the dialect learns the outcome from the attributes. */
  private void decideDeferred(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      boolean tokenOffered,
      @Nullable AuthResult result) {
    if (!ctx.channel().isActive()) {
      request.release();
      return;
    }
    if (result instanceof AuthResult.Accepted accepted) {
      ctx.channel().attr(IDENTITY).set(accepted.identity());
    } else {
      ctx.channel().attr(AUTH_PENDING).set(Boolean.TRUE);
      if (tokenOffered) {
        ctx.channel()
            .attr(UPGRADE_AUTH)
            .set(
                result instanceof AuthResult.Rejected rejected
                    ? rejected
                    : AuthResult.unauthorized("authentication failed"));
      }
    }
    ctx.channel().config().setAutoRead(true);
    ctx.fireChannelRead(request);
  }

  private void decide(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      @Nullable AuthResult result,
      @Nullable Throwable error) {
    if (!ctx.channel().isActive()) {
      request.release();
      return;
    }
    if (error != null || result == null) {
      log.warn(
          "authenticator failed: {}", error == null ? "no result" : error.getClass().getName());
      reject(ctx, request, 401, "authentication failed");
      return;
    }
    if (result instanceof AuthResult.Rejected rejected) {
      log.debug(
          "upgrade from {} rejected: {} {}",
          ctx.channel().remoteAddress(),
          rejected.status(),
          rejected.reason());
      reject(ctx, request, rejected.status(), rejected.reason());
      return;
    }
    Identity identity = ((AuthResult.Accepted) result).identity();
    ctx.channel().attr(IDENTITY).set(identity);
    ctx.channel().config().setAutoRead(true);
    // The handler stays: a keep-alive connection whose handshake fails could send another upgrade
    // request, which must be authenticated again. After the upgrade only frames pass through.
    ctx.fireChannelRead(request);
  }

  /**
   * Finds the token and removes it from where it could be seen later (the Authorization header; the
   * offered subprotocols are narrowed to the token's, which the handshake must echo).
   */
  static @Nullable String takeToken(FullHttpRequest request) {
    String token = null;
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = authorization.substring(7).strip();
      request.headers().remove(HttpHeaderNames.AUTHORIZATION);
    }
    String offered = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (offered != null) {
      for (String p : offered.split(",")) {
        String protocol = p.strip();
        String value = null;
        if (protocol.startsWith("token-")) {
          value = protocol.substring(6);
        } else if (protocol.regionMatches(true, 0, "bearer.", 0, 7)) {
          value = protocol.substring(7);
        }
        if (value != null && !value.isEmpty()) {
          request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, protocol);
          if (token == null) {
            token = value;
          }
          break;
        }
      }
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    List<String> query = uri.parameters().get("token");
    if (query != null) {
      if (token == null && !query.isEmpty() && !query.get(0).isEmpty()) {
        token = query.get(0);
      }
      // The URI travels on in the handshake event; it goes without the token.
      QueryStringEncoder rest = new QueryStringEncoder(uri.rawPath());
      uri.parameters()
          .forEach(
              (name, values) -> {
                if (!name.equals("token")) {
                  values.forEach(v -> rest.addParam(name, v));
                }
              });
      request.setUri(rest.toString());
    }
    return token == null || token.isEmpty() ? null : token;
  }

  private static void reject(
      ChannelHandlerContext ctx, FullHttpRequest request, int status, String reason) {
    request.release();
    byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    if (status == 401) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    response.headers().set(HttpHeaderNames.CONNECTION, "close");
    HttpUtil.setContentLength(response, body.length);
    ctx.channel().config().setAutoRead(true);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.fireExceptionCaught(cause);
  }
}
