package dev.patchbay.server.transport;

import dev.patchbay.server.metrics.PatchbayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the plain HTTP routes ({@code /healthz}, {@code /metrics}, the status page at {@code /})
 * and passes WebSocket upgrades on {@code /ws} down the pipeline to the WebSocket protocol handler,
 * once the connection limits admit them (503 when the server is full, 429 when the client's address
 * has too many connections).
 */
@ChannelHandler.Sharable
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final String webSocketPath;
  private final Supplier<StatusPage> status;
  private final BooleanSupplier serving;
  private final ConnectionLimiter limiter;
  private final PatchbayMetrics metrics;

  HttpRequestHandler(
      String webSocketPath,
      Supplier<StatusPage> status,
      BooleanSupplier serving,
      ConnectionLimiter limiter,
      PatchbayMetrics metrics) {
    super(false);
    this.webSocketPath = webSocketPath;
    this.status = status;
    this.serving = serving;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    if (path.equals(webSocketPath)) {
      ConnectionLimiter.Refusal refusal = limiter.tryAcquire(ctx.channel());
      if (refusal == null) {
        ctx.fireChannelRead(request); // the WebSocket protocol handler takes ownership
        return;
      }
      try {
        metrics.rejectedUpgrade(refusal.tag);
        log.info(
            "event=reject-upgrade reason={} remote={}", refusal.tag, ctx.channel().remoteAddress());
        HttpResponseStatus status = HttpResponseStatus.valueOf(refusal.status);
        respond(ctx, request, status, "text/plain", refusal.body, true);
      } finally {
        request.release();
      }
      return;
    }
    try {
      if (!request.decoderResult().isSuccess()) {
        respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n");
      } else if (request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD) {
        respond(
            ctx,
            request,
            HttpResponseStatus.METHOD_NOT_ALLOWED,
            "text/plain",
            "method not allowed\n");
      } else if (path.equals("/healthz")) {
        if (serving.getAsBoolean()) {
          respond(ctx, request, HttpResponseStatus.OK, "text/plain", "ok\n");
        } else {
          respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "stopping\n");
        }
      } else if (path.equals("/metrics")) {
        respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape());
      } else if (path.equals("/")) {
        respond(
            ctx, request, HttpResponseStatus.OK, "text/html; charset=utf-8", status.get().html());
      } else {
        respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
      }
    } finally {
      request.release();
    }
  }

  private static void respond(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      HttpResponseStatus status,
      String contentType,
      String body) {
    respond(ctx, request, status, contentType, body, false);
  }

  private static void respond(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      HttpResponseStatus status,
      String contentType,
      String body,
      boolean close) {
    ByteBuf content =
        request.method() == HttpMethod.HEAD
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setContentLength(response, body.getBytes(StandardCharsets.UTF_8).length);
    boolean keepAlive = !close && HttpUtil.isKeepAlive(request);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
