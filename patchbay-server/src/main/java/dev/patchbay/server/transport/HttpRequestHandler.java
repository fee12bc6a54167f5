package dev.patchbay.server.transport;

import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.HttpCall;
import dev.patchbay.server.spi.HttpEndpoint;
import dev.patchbay.server.spi.HttpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the plain HTTP routes ({@code /healthz}, {@code /metrics}, the status page at {@code /})
 * and passes WebSocket upgrades on {@code /ws} down the pipeline to the WebSocket protocol handler,
 * once the connection limits admit them (503 when the server is full, 429 when the client's address
 * has too many connections). With an {@link HttpEndpoint} set, requests under its prefix (the
 * collections' {@code /sync/...}) go to it off the event loop, answered in request order per
 * connection; other WebSocket routes ({@code /sync/ws}, {@code /notes/ws}) upgrade like {@code
 * /ws}.
 */
@ChannelHandler.Sharable
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** Requests of one connection waiting for (or being served by) the endpoint, in order. */
  private static final AttributeKey<ArrayDeque<Pending>> PENDING =
      AttributeKey.valueOf("patchbay.httpPending");

  /** More pipelined requests than this on one connection close it. */
  private static final int MAX_PIPELINED = 16;

  private final Set<String> webSocketPaths;
  private final Supplier<StatusPage> status;
  private final BooleanSupplier serving;
  private final ConnectionLimiter limiter;
  private final PatchbayMetrics metrics;
  private final @Nullable String endpointPrefix;
  private final @Nullable HttpEndpoint endpoint;

  HttpRequestHandler(
      String webSocketPath,
      Supplier<StatusPage> status,
      BooleanSupplier serving,
      ConnectionLimiter limiter,
      PatchbayMetrics metrics) {
    this(Set.of(webSocketPath), status, serving, limiter, metrics, null, null);
  }

  /**
   * Creates the handler; upgrades to any of {@code webSocketPaths} go down the pipeline, and
   * requests under {@code endpointPrefix} (other than those) go to {@code endpoint}.
   */
  HttpRequestHandler(
      Set<String> webSocketPaths,
      Supplier<StatusPage> status,
      BooleanSupplier serving,
      ConnectionLimiter limiter,
      PatchbayMetrics metrics,
      @Nullable String endpointPrefix,
      @Nullable HttpEndpoint endpoint) {
    super(false);
    this.webSocketPaths = Set.copyOf(webSocketPaths);
    this.status = status;
    this.serving = serving;
    this.limiter = limiter;
    this.metrics = metrics;
    this.endpointPrefix = endpointPrefix;
    this.endpoint = endpoint;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    if (endpoint != null
        && endpointPrefix != null
        && path.startsWith(endpointPrefix)
        && !webSocketPaths.contains(path)) {
      try {
        toEndpoint(ctx, request, uri);
      } finally {
        request.release();
      }
      return;
    }
    if (webSocketPaths.contains(path)) {
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

  private void toEndpoint(
      ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
    if (!request.decoderResult().isSuccess()) {
      respondJson(ctx, 400, Wire.BAD_REQUEST, false);
      return;
    }
    HttpCall call =
        new HttpCall(
            request.method().name(),
            uri.path(),
            uri.parameters(),
            request.headers().get(HttpHeaderNames.AUTHORIZATION),
            ByteBufUtil.getBytes(request.content()),
            String.valueOf(ctx.channel().remoteAddress()));
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    ArrayDeque<Pending> pending = ctx.channel().attr(PENDING).get();
    if (pending == null) {
      pending = new ArrayDeque<>();
      ctx.channel().attr(PENDING).set(pending);
    }
    if (pending.size() >= MAX_PIPELINED) {
      ctx.close();
      return;
    }
    pending.add(new Pending(call, !keepAlive));
    if (pending.size() == 1) {
      serveNext(ctx, pending);
    }
  }

  /** A request for the endpoint, and whether its connection closes after the answer. */
  private record Pending(HttpCall call, boolean close) {}

  /**
   * Serves the head of the connection's queue; answers go out in request order, and the next
   * request is served only once the previous one is answered (HTTP/1.1 pipelining).
   */
  private void serveNext(ChannelHandlerContext ctx, ArrayDeque<Pending> pending) {
    Pending head = pending.peek();
    HttpEndpoint target = endpoint;
    if (head == null || target == null) {
      return;
    }
    HttpCall call = head.call();
    boolean close = head.close();
    CompletionStage<HttpReply> stage;
    try {
      stage = target.handle(call);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (reply, error) -> {
          try {
            ctx.executor()
                .execute(
                    () -> {
                      if (error != null || reply == null) {
                        log.warn(
                            "http endpoint failed: {}",
                            error == null ? "no reply" : error.toString());
                        respondJson(ctx, 500, Wire.SERVER_ERROR, close);
                      } else {
                        respondBytes(ctx, reply, close);
                      }
                      pending.poll();
                      if (ctx.channel().isActive()) {
                        serveNext(ctx, pending);
                      }
                    });
          } catch (java.util.concurrent.RejectedExecutionException stopping) {
            ctx.channel().close();
          }
        });
  }

  /** Canned JSON bodies of the transport's own errors. */
  static final class Wire {
    static final String BAD_REQUEST =
        "{\"error\":\"malformed request\",\"code\":\"INVALID_REQUEST\"}";
    static final String SERVER_ERROR = "{\"error\":\"internal error\",\"code\":\"SERVER_ERROR\"}";
    static final String TOO_LARGE =
        "{\"error\":\"request body too large\",\"code\":\"PAYLOAD_TOO_LARGE\"}";

    private Wire() {}
  }

  private static void respondJson(
      ChannelHandlerContext ctx, int status, String body, boolean close) {
    respondBytes(ctx, HttpReply.json(status, body), close);
  }

  private static void respondBytes(ChannelHandlerContext ctx, HttpReply reply, boolean close) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.status()),
            Unpooled.wrappedBuffer(reply.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    if (reply.status() == 401) {
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
    }
    HttpUtil.setContentLength(response, reply.body().length);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
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
