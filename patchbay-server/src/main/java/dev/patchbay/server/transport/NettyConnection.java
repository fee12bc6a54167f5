package dev.patchbay.server.transport;

import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.Identity;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/** A {@link Connection} over a Netty WebSocket channel. Netty makes writes thread-safe. */
final class NettyConnection implements Connection {
  private final String id;
  private final Channel channel;
  private final Identity identity;

  NettyConnection(String id, Channel channel, Identity identity) {
    this.id = id;
    this.channel = channel;
    this.identity = identity;
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void send(String text) {
    if (channel.isActive()) {
      channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
    }
  }

  @Override
  public void send(byte[] utf8Text) {
    if (channel.isActive()) {
      // Wrapping shares the array: no copy per subscriber.
      channel.writeAndFlush(
          new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8Text)), channel.voidPromise());
    }
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable();
  }

  @Override
  public void close(int code, String reason) {
    if (channel.isActive()) {
      channel
          .writeAndFlush(new CloseWebSocketFrame(code, reason))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public String toString() {
    return "connection " + id;
  }
}
