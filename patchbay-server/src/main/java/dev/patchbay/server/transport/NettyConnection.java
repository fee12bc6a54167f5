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
 * has taken it, and against the server-wide {@link OutboundBudget}. A client that does not read
 * fast enough fills its budget; it is then closed with 1013 (try again later, the Patches client
 * reconnects and resyncs) and nothing more is queued for it, so a slow reader costs bounded memory
 * and never delays the fan-out to others. When the server-wide budget is spent (many readers
 * lagging at once, as under overload), a connection with at least {@link #LAGGING_BYTES} queued is
 * closed the same way when the next message for it comes; one that keeps up is not.
 */
final class NettyConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(NettyConnection.class);

  /**
   * How long a closing connection may take to read what is queued before its close frame; then the
   * socket is closed regardless, so a client that stopped reading cannot hold the slot.
   */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** The queue of a connection that counts as behind when the server-wide budget is spent. */
  static final int LAGGING_BYTES = 64 * 1024;

  private final String id;
  private final Channel channel;
  private final long maxOutboundBytes;
  private final OutboundBudget budget;
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
    this(
        id,
        channel,
        maxOutboundBytes,
        new OutboundBudget(0),
        metrics,
        identity,
        AuthResult.accept(identity),
        true);
  }

  NettyConnection(
      String id,
      Channel channel,
      long maxOutboundBytes,
      OutboundBudget budget,
      PatchbayMetrics metrics,
      Identity identity,
      @Nullable AuthResult upgradeAuth,
      boolean compressing) {
    this.upgradeAuth = upgradeAuth;
    this.compressing = compressing;
    this.id = id;
    this.channel = channel;
    this.maxOutboundBytes = maxOutboundBytes;
    this.budget = budget;
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
    send(utf8Text, false);
  }

  /**
   * Writes the frame encoded once for all subscribers ({@link SharedFrames}), unless this client
   * negotiated permessage-deflate and the message is large enough to be deflated for it.
   */
  @Override
  public void sendShared(byte[] utf8Text) {
    send(utf8Text, true);
  }

  /**
   * Writes {@code utf8Text} as a frame encoded here, in one direct buffer: handing Netty a heap
   * buffer made it encode a header and copy the payload into a direct buffer on every write, a
   * tenth of the event loops' CPU in the broadcast workload. A message this client's
   * permessage-deflate would compress goes through the WebSocket encoder instead.
   */
  private void send(byte[] utf8Text, boolean shared) {
    if (!channel.isActive() || closing.get()) {
      return;
    }
    if (compressing && utf8Text.length >= Compression.MIN_COMPRESSED_BYTES) {
      write(Unpooled.wrappedBuffer(utf8Text)); // wrapping shares the array: no copy here
    } else if (shared) {
      write(SharedFrames.frameOf(utf8Text, channel.alloc()), utf8Text.length);
    } else {
      write(SharedFrames.encode(utf8Text, channel.alloc()), utf8Text.length);
    }
  }

  private void write(ByteBuf content) {
    write(new TextWebSocketFrame(content), content.readableBytes());
  }

  /**
   * Queues {@code message} (a frame, or an encoded frame's bytes) of {@code size} payload bytes.
   */
  private void write(Object message, int size) {
    long pending = pendingBytes.addAndGet(size);
    boolean own = pending <= maxOutboundBytes;
    // Past the server-wide budget, only a connection that is itself behind is closed; one that
    // keeps up still gets its message (its queue is small), so the budget bounds the backlogs.
    boolean server = budget.take(size) || pending < LAGGING_BYTES;
    if (!own || !server) {
      budget.release(size);
      pendingBytes.addAndGet(-size);
      io.netty.util.ReferenceCountUtil.release(message);
      if (!closing.get()) {
        String reason = own ? "outbound-budget" : "slow-consumer";
        metrics.closedByServer(reason);
        log.info(
            "event=close conn={} reason={} pendingBytes={} limit={} serverPendingBytes={}"
                + " serverLimit={}",
            id,
            reason,
            pendingBytes.get(),
            maxOutboundBytes,
            budget.used(),
            budget.limit());
        close(1013, "try again later: too slow reading");
      }
      return;
    }
    channel
        .writeAndFlush(message)
        .addListener(
            f -> {
              pendingBytes.addAndGet(-size);
              budget.release(size);
            });
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
