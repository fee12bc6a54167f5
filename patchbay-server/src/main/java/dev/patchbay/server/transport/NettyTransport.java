package dev.patchbay.server.transport;

import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.HttpEndpoint;
import dev.patchbay.server.spi.MessageHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The standalone server's network front: one port serving HTTP/1.1 (health, status page) and
 * WebSocket (RFC 6455 with permessage-deflate) on {@code /ws} and any routes added with {@link
 * #addWebSocketRoute}. It knows nothing of documents; it hands every text message of a connection
 * to the route's {@link MessageHandler}, and HTTP requests under a prefix to an {@link
 * HttpEndpoint} ({@link #setHttpEndpoint}).
 */
public final class NettyTransport implements AutoCloseable {
  /**
   * Transport settings; see {@link dev.patchbay.server.ServerConfig} for what each limit means.
   *
   * @param host the address to bind
   * @param port the port to bind, 0 for any
   * @param webSocketPath the path of WebSocket upgrades
   * @param maxFrameBytes the largest message, after reassembly and inflation
   * @param maxConnections open WebSocket connections in total
   * @param maxConnectionsPerAddress open WebSocket connections per client address
   * @param messagesPerSecond the sustained message rate of a connection
   * @param messageBurst the messages a connection may send at once
   * @param maxOutboundBytes the bytes queued for a connection before it is closed with 1013
   * @param maxOutboundBytesTotal the bytes queued for all connections together; past this, a
   *     connection with 64 KiB or more queued is closed with 1013 (0: a quarter of the heap)
   * @param pingInterval the silence after which a connection is pinged
   * @param idleTimeout the silence after which a connection is closed
   * @param handshakeTimeout the time a connection has to complete its upgrade
   */
  public record Settings(
      String host,
      int port,
      String webSocketPath,
      int maxFrameBytes,
      int maxConnections,
      int maxConnectionsPerAddress,
      int messagesPerSecond,
      int messageBurst,
      int maxOutboundBytes,
      long maxOutboundBytesTotal,
      Duration pingInterval,
      Duration idleTimeout,
      Duration handshakeTimeout) {}

  private final Settings settings;
  private final MessageHandler handler;
  private final Supplier<StatusPage> status;
  private final PatchbayMetrics metrics;
  private final Authenticator authenticator;
  private final ConnectionRegistry registry = new ConnectionRegistry();
  private final OutboundBudget outbound;
  // Every accepted channel, upgraded or not: stopping the I/O threads does not close them, so
  // close() does, lest a socket outlive the server (its client would only notice by heartbeat).
  private final Set<Channel> children = ConcurrentHashMap.newKeySet();
  private final AtomicLong connectionIds = new AtomicLong();
  private final Map<String, MessageHandler> extraRoutes = new LinkedHashMap<>();
  private @Nullable String endpointPrefix;
  private @Nullable HttpEndpoint endpoint;
  private int maxBodyBytes = 64 * 1024;
  private volatile boolean serving;
  private volatile boolean closing;
  private @Nullable EventLoopGroup boss;
  private @Nullable EventLoopGroup workers;
  private @Nullable Channel serverChannel;

  /**
   * Creates a transport that authenticates every WebSocket upgrade with {@code authenticator}
   * before the handshake; nothing is bound until {@link #start()}.
   */
  public NettyTransport(
      Settings settings,
      MessageHandler handler,
      Supplier<StatusPage> status,
      PatchbayMetrics metrics,
      Authenticator authenticator) {
    this.settings = settings;
    this.outbound = new OutboundBudget(settings.maxOutboundBytesTotal());
    this.handler = handler;
    this.status = status;
    this.metrics = metrics;
    this.authenticator = authenticator;
  }

  /**
   * Serves WebSocket upgrades to {@code path} with {@code handler}, beside the main path. Upgrades
   * there may come without a token or with a refused one: the connection opens unauthenticated and
   * {@link dev.patchbay.server.spi.Connection#upgradeAuth()} tells the dialect, which then
   * authenticates by message or reports the refusal. Call before {@link #start()}.
   */
  public void addWebSocketRoute(String path, MessageHandler handler) {
    if (path.equals(settings.webSocketPath())) {
      throw new IllegalArgumentException("the main WebSocket path is taken: " + path);
    }
    extraRoutes.put(path, handler);
  }

  /**
   * Hands the HTTP requests whose path starts with {@code prefix} (WebSocket routes excepted) to
   * {@code endpoint}; request bodies larger than {@code maxBodyBytes} are refused with 413 and a
   * JSON body {@code {error, code: "PAYLOAD_TOO_LARGE"}}. Call before {@link #start()}.
   */
  public void setHttpEndpoint(String prefix, HttpEndpoint endpoint, int maxBodyBytes) {
    this.endpointPrefix = prefix;
    this.endpoint = endpoint;
    this.maxBodyBytes = Math.max(64 * 1024, maxBodyBytes);
  }

  /**
   * Binds the port and starts serving.
   *
   * @return the bound address (useful with port 0)
   * @throws InterruptedException when interrupted while binding
   */
  public InetSocketAddress start() throws InterruptedException {
    boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("patchbay-accept"), NioIoHandler.newFactory());
    workers =
        new MultiThreadIoEventLoopGroup(
            Math.max(1, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("patchbay-io"),
            NioIoHandler.newFactory());
    BooleanSupplier isServing = () -> serving;
    ConnectionLimiter limiter =
        new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerAddress());
    Set<String> webSocketPaths = new HashSet<>(extraRoutes.keySet());
    webSocketPaths.add(settings.webSocketPath());
    HttpRequestHandler http =
        new HttpRequestHandler(
            webSocketPaths, status, isServing, limiter, metrics, endpointPrefix, endpoint);
    Map<String, MessageHandler> routes = Map.copyOf(extraRoutes);
    int aggregateBytes = maxBodyBytes;
    long idleCheckMillis = WebSocketHandler.idleCheckMillis(settings);
    WebSocketServerProtocolConfig wsConfig =
        WebSocketServerProtocolConfig.newBuilder()
            // With several routes the handshake takes any path: the routes handler above only
            // lets upgrades to a known path get this far.
            .websocketPath(routes.isEmpty() ? settings.webSocketPath() : "/")
            .checkStartsWith(true)
            .allowExtensions(true)
            .maxFramePayloadLength(settings.maxFrameBytes())
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .handshakeTimeoutMillis(settings.handshakeTimeout().toMillis())
            .forceCloseTimeoutMillis(NettyConnection.CLOSE_GRACE.toMillis())
            // Echo an offered subprotocol (the token one, see UpgradeAuthHandler): browsers fail
            // a handshake that offers subprotocols and gets none back.
            .subprotocols("*")
            .build();
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    children.add(ch);
                    ch.closeFuture().addListener(f -> children.remove(ch));
                    if (closing) {
                      // Accepted while close() ran: its snapshot of the children may have missed
                      // this one (added first, then checked, so one of the two sees it).
                      ch.close();
                      return;
                    }
                    ChannelPipeline p = ch.pipeline();
                    // Any bytes read (a pong included) count as life; see WebSocketHandler.
                    p.addLast(
                        "idle", new IdleStateHandler(idleCheckMillis, 0, 0, TimeUnit.MILLISECONDS));
                    // Many small frames per connection: flush once per event-loop pass, not per
                    // frame.
                    p.addLast("flush", new FlushConsolidationHandler(256, true));
                    p.addLast("http", new HttpServerCodec());
                    p.addLast("aggregate", new JsonLimitAggregator(aggregateBytes));
                    p.addLast("routes", http);
                    p.addLast("auth", new UpgradeAuthHandler(authenticator, routes.keySet()));
                    p.addLast("deflate", Compression.handler(settings.maxFrameBytes()));
                    p.addLast("websocket", new WebSocketServerProtocolHandler(wsConfig));
                    // Clients may fragment a message; the limit applies to the whole message.
                    p.addLast("fragments", new WebSocketFrameAggregator(settings.maxFrameBytes()));
                    p.addLast(
                        "messages",
                        new WebSocketHandler(
                            handler, routes, connectionIds, registry, outbound, settings, metrics));
                  }
                });
    serverChannel = bootstrap.bind(settings.host(), settings.port()).sync().channel();
    serving = true;
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Returns the number of open WebSocket connections. */
  public int connectionCount() {
    return registry.size();
  }

  /** Stops accepting connections; open ones stay until {@link #close()}. */
  public void stopAccepting() {
    serving = false;
    Channel ch = serverChannel;
    if (ch != null) {
      ch.close().syncUninterruptibly();
    }
  }

  /**
   * Closes, without a close frame, the channels still open after the close frames went out: plain
   * HTTP connections, upgrades in progress, and WebSocket connections that did not answer in time.
   */
  private void closeChildren(java.time.Duration wait) {
    List<Channel> open = List.copyOf(children);
    for (Channel ch : open) {
      ch.close();
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (Channel ch : open) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !ch.closeFuture().awaitUninterruptibly(left / 1_000_000)) {
        return;
      }
    }
  }

  /** Closes every connection with 1001 (going away) and releases the I/O threads. */
  @Override
  public void close() {
    closing = true;
    stopAccepting();
    registry.closeAll(
        WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(),
        "server shutting down",
        java.time.Duration.ofSeconds(5));
    closeChildren(java.time.Duration.ofSeconds(2));
    if (workers != null) {
      workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (boss != null) {
      boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
