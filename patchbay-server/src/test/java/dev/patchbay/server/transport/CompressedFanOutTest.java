package dev.patchbay.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.TestClient;
import dev.patchbay.server.store.DocStores;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketClientCompressionHandler;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A subscriber that negotiated permessage-deflate gets small notifications as the frame encoded
 * once for every subscriber (uncompressed, which the extension allows per message) and large ones
 * deflated for it alone; it reads both correctly, as does a subscriber without the extension.
 */
class CompressedFanOutTest {
  private PatchbayServer server;
  private URI uri;
  private EventLoopGroup group;

  @BeforeEach
  void start() {
    server = PatchbayServer.start(ServerConfig.builder().port(0).build(), DocStores.inMemory());
    uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void deflateSubscriber_readsSharedSmallAndDeflatedLargeNotifications() throws Exception {
    BlockingQueue<Integer> rsv = new LinkedBlockingQueue<>();
    BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    Channel deflating = connect(rsv, texts);
    deflating.writeAndFlush(
        new TextWebSocketFrame(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":[[\"d\"]]}"));
    assertThat(texts.poll(10, TimeUnit.SECONDS)).contains("\"id\":1");
    rsv.clear();

    try (TestClient plain = new TestClient(uri);
        TestClient writer = new TestClient(uri)) {
      plain.result("subscribe", Json.parse("[\"d\"]"));
      String big = "x".repeat(5_000);
      commit(writer, "small", "\"hi\"", 0);
      commit(writer, "large", "\"" + big + "\"", 1);

      JsonNode small = Json.parse(texts.poll(10, TimeUnit.SECONDS));
      assertThat(rsv.poll(1, TimeUnit.SECONDS)).as("small frame is not deflated").isZero();
      JsonNode large = Json.parse(texts.poll(10, TimeUnit.SECONDS));
      assertThat(rsv.poll(1, TimeUnit.SECONDS)).as("large frame is deflated (RSV1)").isEqualTo(4);

      assertThat(small.path("params").path("changes").path(0).path("id").asString())
          .isEqualTo("small");
      assertThat(
              large
                  .path("params")
                  .path("changes")
                  .path(0)
                  .path("ops")
                  .path(0)
                  .path("value")
                  .asString())
          .isEqualTo(big);
      JsonNode plainSmall = plain.notifications.poll(10, TimeUnit.SECONDS);
      JsonNode plainLarge = plain.notifications.poll(10, TimeUnit.SECONDS);
      assertThat(plainSmall).isEqualTo(small);
      assertThat(plainLarge).isEqualTo(large);
    }
  }

  private static void commit(TestClient writer, String id, String value, long baseRev) {
    writer.result(
        "commitChanges",
        Json.NODES.stringNode("d"),
        Json.parse(
            "[{\"id\":\""
                + id
                + "\",\"baseRev\":"
                + baseRev
                + ",\"rev\":"
                + (baseRev + 1)
                + ",\"createdAt\":"
                + System.currentTimeMillis()
                + ",\"ops\":[{\"op\":\"replace\",\"path\":\"/v\",\"value\":"
                + value
                + "}]}]"));
  }

  private Channel connect(BlockingQueue<Integer> rsv, BlockingQueue<String> texts)
      throws Exception {
    CompletableFuture<Channel> ready = new CompletableFuture<>();
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder().webSocketUri(uri).allowExtensions(true).build();
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(new HttpClientCodec())
                    .addLast(
                        new ChannelInboundHandlerAdapter() { // sees frames before inflating
                          @Override
                          public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof WebSocketFrame frame) {
                              rsv.add(frame.rsv());
                            }
                            ctx.fireChannelRead(msg);
                          }
                        })
                    .addLast(new HttpObjectAggregator(64 * 1024))
                    .addLast(new WebSocketClientCompressionHandler(0))
                    .addLast(new WebSocketClientProtocolHandler(config))
                    .addLast(
                        new ChannelInboundHandlerAdapter() {
                          @Override
                          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt
                                == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                    .HANDSHAKE_COMPLETE) {
                              ready.complete(ctx.channel());
                            }
                          }

                          @Override
                          public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof TextWebSocketFrame text) {
                              texts.add(text.text());
                            }
                            io.netty.util.ReferenceCountUtil.release(msg);
                          }
                        });
              }
            })
        .connect(uri.getHost(), uri.getPort())
        .sync();
    return ready.get(10, TimeUnit.SECONDS);
  }
}
