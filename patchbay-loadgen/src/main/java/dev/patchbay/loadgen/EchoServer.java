package dev.patchbay.loadgen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The echo baseline: a bare WebSocket server on the same stack and pipeline settings as Patchbay's
 * transport (Netty NIO, one I/O thread per core, TCP_NODELAY, flush consolidation, HTTP codec and
 * aggregator, the WebSocket protocol handler). A connection to {@code /echo/<channel>} joins that
 * channel; every text frame it sends is written unchanged, without being parsed, to every member of
 * the channel, the sender included. With the broadcast driver that is one answer to the sender and
 * one delivery to each other client per op: the messages Patchbay sends for the same workload,
 * minus all of its work. Its rate is the ceiling of this machine for these messages.
 */
final class EchoServer implements AutoCloseable {
  private static final AttributeKey<ChannelGroup> GROUP = AttributeKey.valueOf("echo-group");
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel serverChannel;
  private final URI uri;

  private EchoServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
    this.boss = boss;
    this.workers = workers;
    this.serverChannel = serverChannel;
    this.uri =
        URI.create(
            "ws://127.0.0.1:"
                + ((InetSocketAddress) serverChannel.localAddress()).getPort()
                + "/echo");
  }

  /** Starts on 127.0.0.1, any free port. */
  static EchoServer start() {
    EventLoopGroup boss =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("patchbay-echo-accept", true), NioIoHandler.newFactory());
    EventLoopGroup workers =
        new MultiThreadIoEventLoopGroup(
            Math.max(1, Runtime.getRuntime().availableProcessors()),
            new DefaultThreadFactory("patchbay-echo-io", true),
            NioIoHandler.newFactory());
    Map<String, ChannelGroup> groups = new ConcurrentHashMap<>();
    WebSocketServerProtocolConfig ws =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/echo")
            .checkStartsWith(true)
            .maxFramePayloadLength(WsClient.MAX_FRAME_BYTES)
            .handleCloseFrames(true)
            .dropPongFrames(true)
            .build();
    Relay relay = new Relay(groups);
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
                    ChannelPipeline p = ch.pipeline();
                    p.addLast(new FlushConsolidationHandler(256, true));
                    p.addLast(new HttpServerCodec());
                    p.addLast(new HttpObjectAggregator(64 * 1024));
                    p.addLast(new WebSocketServerProtocolHandler(ws));
                    p.addLast(new WebSocketFrameAggregator(WsClient.MAX_FRAME_BYTES));
                    p.addLast(relay);
                  }
                });
    try {
      Channel channel = bootstrap.bind("127.0.0.1", 0).sync().channel();
      return new EchoServer(boss, workers, channel);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      boss.shutdownGracefully();
      workers.shutdownGracefully();
      throw new IllegalStateException("interrupted while binding the echo server", e);
    }
  }

  URI uri() {
    return uri;
  }

  @Override
  public void close() {
    serverChannel.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @ChannelHandler.Sharable
  private static final class Relay extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    private final Map<String, ChannelGroup> groups;

    Relay(Map<String, ChannelGroup> groups) {
      this.groups = groups;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hs) {
        ChannelGroup group =
            groups.computeIfAbsent(
                hs.requestUri(), k -> new DefaultChannelGroup(k, GlobalEventExecutor.INSTANCE));
        group.add(ctx.channel());
        ctx.channel().attr(GROUP).set(group);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      ChannelGroup group = ctx.channel().attr(GROUP).get();
      if (group != null) {
        // The group duplicates the frame for each member; retain it for the group's writes.
        group.writeAndFlush(frame.retain());
      }
    }
  }
}
