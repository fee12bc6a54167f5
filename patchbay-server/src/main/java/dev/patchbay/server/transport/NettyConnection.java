package dev.patchbay.server.transport;

import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.Identity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Connection} over a Netty WebSocket channel. Netty makes writes thread-safe.
 *
 * <p>Every message queued for the client counts against {@code maxOutboundBytes} until the kernel
 * has taken it. A client that does not read fast enough fills that budget; it is then closed with
 * 1013 (try again later, the Patches client reconnects and resyncs) and nothing more is queued for
 * it, so a slow reader costs bounded memory and never delays the fan-out to others.
 */
final class NettyConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(NettyConnection.class);

  /**
   * How long a closing connection may take to read what is queued before its close frame; then the
   * socket is closed regardless, so a client that stopped reading cannot hold the slot.
   */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final String id;
  private final Channel channel;
  private final long maxOutboundBytes;
  private final PatchbayMetrics metrics;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Identity identity;
  private final @Nullable AuthResult upgradeAuth;
  // Whether the client offered permessage-deflate (then assumed on: only the shared path asks).
  private final boolean compressing;

  NettyConnection(
      String id,
      Channel channel,
      long maxOutboundBytes,
      PatchbayMetrics metrics,
      Identity identity) {
    this(id, channel, maxOutboundBytes, metrics, identity, AuthResult.accept(identity), true);
  }

  NettyConnection(
      String id,
      Channel channel,
      long maxOutboundBytes,
      PatchbayMetrics metrics,
      Identity identity,
      @Nullable AuthResult upgradeAuth,
      boolean compressing) {
    this.upgradeAuth = upgradeAuth;
    this.compressing = compressing;
    this.id = id;
    this.channel = channel;
    this.maxOutboundBytes = maxOutboundBytes;
    this.metrics = metrics;
    this.identity = identity;
  }

  @Override
  public Identity identity() {
    return identity;
  }

  @Override
  public @Nullable AuthResult upgradeAuth() {
    return upgradeAuth;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void send(String text) {
    if (channel.isActive() && !closing.get()) {
      write(ByteBufUtil.writeUtf8(channel.alloc(), text));
    }
  }

  @Override
  public void send(byte[] utf8Text) {
    if (channel.isActive() && !closing.get()) {
      // Wrapping shares the array: no copy per subscriber.
      write(Unpooled.wrappedBuffer(utf8Text));
    }
  }

  /**
   * Writes the frame encoded once for all subscribers ({@link SharedFrames}), unless this client
   * negotiated permessage-deflate and the message is large enough to be deflated for it.
   */
  @Override
  public void sendShared(byte[] utf8Text) {
    if (compressing && utf8Text.length >= Compression.MIN_COMPRESSED_BYTES) {
      send(utf8Text);
    } else if (channel.isActive() && !closing.get()) {
      write(SharedFrames.frameOf(utf8Text, channel.alloc()), utf8Text.length);
    }
  }

  private void write(ByteBuf content) {
    write(new TextWebSocketFrame(content), content.readableBytes());
  }

  /**
   * Queues {@code message} (a frame, or an encoded frame's bytes) of {@code size} payload bytes.
   */
  private void write(Object message, int size) {
    if (pendingBytes.addAndGet(size) > maxOutboundBytes) {
      pendingBytes.addAndGet(-size);
      io.netty.util.ReferenceCountUtil.release(message);
      if (!closing.get()) {
        metrics.closedByServer("slow-consumer");
        log.info(
            "event=close conn={} reason=slow-consumer pendingBytes={} limit={}",
            id,
            pendingBytes.get(),
            maxOutboundBytes);
        close(1013, "try again later: too slow reading");
      }
      return;
    }
    channel.writeAndFlush(message).addListener(f -> pendingBytes.addAndGet(-size));
  }

  /** Returns the bytes queued for this client that the kernel has not taken yet. */
  long pendingBytes() {
    return pendingBytes.get();
  }

  /** Completes when the underlying channel has closed. */
  io.netty.channel.ChannelFuture closeFuture() {
    return channel.closeFuture();
  }

  @Override
  public boolean isWritable() {
    return channel.isWritable() && !closing.get();
  }

  @Override
  public void close(int code, String reason) {
    if (!closing.compareAndSet(false, true) || !channel.isActive()) {
      return;
    }
    channel
        .writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
    try {
      channel
          .eventLoop()
          .schedule(() -> channel.close(), CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      channel.close(); // the event loop is stopping: no grace to give
    }
  }

  @Override
  public boolean isOpen() {
    return channel.isActive() && !closing.get();
  }

  @Override
  public String toString() {
    return "connection " + id;
  }
}
