package dev.patchbay.server.transport;

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

/**
 * Serves the plain HTTP routes ({@code /healthz}, the status page at {@code /}) and passes
 * WebSocket upgrades on {@code /ws} down the pipeline to the WebSocket protocol handler.
 */
@ChannelHandler.Sharable
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final String webSocketPath;
  private final Supplier<StatusPage> status;
  private final BooleanSupplier serving;

  HttpRequestHandler(String webSocketPath, Supplier<StatusPage> status, BooleanSupplier serving) {
    super(false);
    this.webSocketPath = webSocketPath;
    this.status = status;
    this.serving = serving;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = new QueryStringDecoder(request.uri()).path();
    if (path.equals(webSocketPath)) {
      ctx.fireChannelRead(request); // the WebSocket protocol handler takes ownership
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
    ByteBuf content =
        request.method() == HttpMethod.HEAD
            ? Unpooled.EMPTY_BUFFER
            : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    HttpUtil.setContentLength(response, body.getBytes(StandardCharsets.UTF_8).length);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
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
