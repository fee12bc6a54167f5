package dev.patchbay.loadgen;

import dev.patchbay.core.json.Json;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One WebSocket connection of the driver, speaking JSON-RPC 2.0 text frames. Everything about a
 * connection (its reads, the completion of its calls, the sends the workloads schedule on {@link
 * #loop()}) runs on its one event loop thread, so workloads keep per-connection state without
 * locks.
 */
final class WsClient {
  /** Receives every message that is not the answer to a call (notifications, relayed frames). */
  interface Listener {
    void onMessage(WsClient client, JsonNode message, long receivedNanos);
  }

  /** Receives {@code changesCommitted} notifications as {@link AnswerScan#committed} reads them. */
  interface CommittedListener {
    void onCommitted(WsClient client, AnswerScan.Committed committed, long receivedNanos);
  }

  static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

  private final Channel channel;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  // Calls whose answers are read lean (id and newest revision only, see AnswerScan).
  private final Set<Integer> lean = ConcurrentHashMap.newKeySet();
  private volatile Listener listener = (c, m, t) -> {};
  private volatile boolean leanNotifications;
  private volatile @Nullable CommittedListener committedListener;

  private WsClient(Channel channel) {
    this.channel = channel;
  }

  /**
   * Connects to {@code uri} and completes once the WebSocket upgrade is done; fails after the
   * handshake timeout (10 s) or on any connection error.
   */
  static CompletableFuture<WsClient> connect(EventLoopGroup group, URI uri) {
    CompletableFuture<WsClient> ready = new CompletableFuture<>();
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .maxFramePayloadLength(MAX_FRAME_BYTES)
            .handshakeTimeoutMillis(10_000)
            .dropPongFrames(true)
            // The driver trusts the server under test (Jackson still rejects malformed UTF-8);
            // validating every received byte took 15 % of the driver's CPU in a JFR profile.
            .withUTF8Validator(false)
            .build();
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(new WebSocketClientProtocolHandler(config))
                        .addLast(new WebSocketFrameAggregator(MAX_FRAME_BYTES))
                        .addLast(new Handler(new WsClient(ch), ready));
                  }
                });
    ChannelFuture connected = bootstrap.connect(uri.getHost(), port(uri));
    connected.addListener(
        (ChannelFutureListener)
            f -> {
              if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
              }
            });
    return ready;
  }

  private static int port(URI uri) {
    if (uri.getPort() > 0) {
      return uri.getPort();
    }
    return "wss".equals(uri.getScheme()) ? 443 : 80;
  }

  void listener(Listener value) {
    listener = value;
  }

  /**
   * Reads {@code changesCommitted} notifications lean: as one change holding their newest {@code
   * rev}, all a workload that only tracks its revision needs (off by default: read whole).
   */
  void leanNotifications(boolean value) {
    leanNotifications = value;
  }

  /**
   * Hands {@code changesCommitted} notifications to {@code value} as scanned stamps instead of
   * trees; a notification the scan leaves to the full reader still reaches the {@link Listener}.
   */
  void committedListener(CommittedListener value) {
    committedListener = value;
  }

  /** The event loop this connection lives on; workloads schedule their sends here. */
  EventLoop loop() {
    return channel.eventLoop();
  }

  boolean isOpen() {
    return channel.isActive();
  }

  /** Sends one text frame; it is flushed at once. */
  void send(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
  }

  /** Reserves the next request id. */
  int nextId() {
    return ids.incrementAndGet();
  }

  /**
   * Sends a JSON-RPC request with {@code paramsJson} (already encoded) and completes with the whole
   * answer (its {@code result} or {@code error}); fails when the connection closes first.
   */
  CompletableFuture<JsonNode> call(String method, String paramsJson) {
    int id = nextId();
    return callWithId(
        id,
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + id
            + ",\"method\":\""
            + method
            + "\",\"params\":"
            + paramsJson
            + "}");
  }

  /** Sends {@code commitChanges} with {@code paramsJson}; the answer is read lean. */
  CompletableFuture<JsonNode> commit(String paramsJson) {
    int id = nextId();
    return commitWithId(
        id,
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + id
            + ",\"method\":\"commitChanges\",\"params\":"
            + paramsJson
            + "}");
  }

  /** Sends an already encoded request whose id is {@code id}, awaiting the answer with that id. */
  CompletableFuture<JsonNode> callWithId(int id, String request) {
    return callWithId(id, request, false);
  }

  /**
   * Sends a {@code commitChanges} request and completes with its answer read lean: {@code id} and,
   * when it succeeded, {@code result.changes} as one change holding the newest {@code rev} (all a
   * committing client needs to go on); an error answer is read whole.
   */
  CompletableFuture<JsonNode> commitWithId(int id, String request) {
    return callWithId(id, request, true);
  }

  private CompletableFuture<JsonNode> callWithId(int id, String request, boolean readLean) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    if (readLean) {
      lean.add(id);
    }
    if (!channel.isActive()) {
      pending.remove(id);
      lean.remove(id);
      answer.completeExceptionally(new IOException("connection closed"));
      return answer;
    }
    send(request);
    return answer;
  }

  /**
   * Completes the call {@code id} with {@code message}, for servers (the echo baseline) whose
   * answer is not a JSON-RPC response.
   */
  void complete(int id, JsonNode message) {
    lean.remove(id);
    CompletableFuture<JsonNode> answer = pending.remove(id);
    if (answer != null) {
      answer.complete(message);
    }
  }

  /** Closes with 1000 and completes when the socket is closed. */
  CompletableFuture<Void> close() {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    channel.closeFuture().addListener(f -> closed.complete(null));
    if (channel.isActive()) {
      channel
          .writeAndFlush(new CloseWebSocketFrame(1000, "bench done"))
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
    return closed;
  }

  /** Reads a frame: a lean call's plain answer by scanning, everything else with {@link Skim}. */
  private void read(byte[] frame, long receivedNanos) {
    if (!lean.isEmpty()) {
      AnswerScan.Answer scanned = AnswerScan.scan(frame);
      if (scanned != null && lean.remove(scanned.id())) {
        CompletableFuture<JsonNode> answer = pending.remove(scanned.id());
        if (answer != null) {
          ObjectNode message = Json.object().put("id", scanned.id());
          message.putObject("result").putArray("changes").addObject().put("rev", scanned.lastRev());
          answer.complete(message);
        }
        return;
      }
    }
    CommittedListener committed = committedListener;
    if (committed != null) {
      AnswerScan.Committed scanned = AnswerScan.committed(frame);
      if (scanned != null) {
        committed.onCommitted(this, scanned, receivedNanos);
        return;
      }
    }
    if (leanNotifications) {
      long rev = AnswerScan.committedRev(frame);
      if (rev >= 0) {
        ObjectNode message = Json.object().put("method", "changesCommitted");
        message.putObject("params").putArray("changes").addObject().put("rev", rev);
        listener.onMessage(this, message, receivedNanos);
        return;
      }
    }
    dispatch(Skim.read(frame), receivedNanos);
  }

  private void dispatch(JsonNode message, long receivedNanos) {
    JsonNode id = message.get("id");
    if (!message.has("method") && id != null && id.isInt()) {
      lean.remove(id.intValue());
      CompletableFuture<JsonNode> answer = pending.remove(id.intValue());
      if (answer != null) {
        answer.complete(message);
      }
      return;
    }
    listener.onMessage(this, message, receivedNanos);
  }

  private void failPending() {
    IOException closed = new IOException("connection closed");
    pending.values().forEach(f -> f.completeExceptionally(closed));
    pending.clear();
    lean.clear();
  }

  private static final class Handler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final WsClient client;
    private final CompletableFuture<WsClient> ready;

    Handler(WsClient client, CompletableFuture<WsClient> ready) {
      this.client = client;
      this.ready = ready;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        ready.complete(client);
      } else if (evt
          == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
        ready.completeExceptionally(new IOException("WebSocket handshake timed out"));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      long now = System.nanoTime();
      byte[] bytes = ByteBufUtil.getBytes(frame.content());
      client.read(bytes, now);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      ready.completeExceptionally(new IOException("connection closed during the handshake"));
      client.failPending();
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ready.completeExceptionally(cause);
      ctx.close();
    }
  }
}
