package dev.patchbay.server.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Caps WebSocket connections in total and per client IP address. A slot is taken when the upgrade
 * request arrives (before the handshake, so a burst of upgrades cannot overshoot) and given back
 * when the channel closes.
 */
final class ConnectionLimiter {
  /** Why an upgrade was refused; the HTTP status and the metric tag. */
  enum Refusal {
    TOTAL(503, "max-connections", "server is at its connection limit, retry later\n"),
    PER_ADDRESS(429, "max-connections-per-address", "too many connections from your address\n");

    final int status;
    final String tag;
    final String body;

    Refusal(int status, String tag, String body) {
      this.status = status;
      this.tag = tag;
      this.body = body;
    }
  }

  private static final AttributeKey<Boolean> ADMITTED =
      AttributeKey.valueOf(ConnectionLimiter.class, "admitted");

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

  ConnectionLimiter(int maxTotal, int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /** Takes a slot for the channel, or says why not. A channel holds at most one slot. */
  @Nullable Refusal tryAcquire(Channel channel) {
    if (channel.attr(ADMITTED).get() != null) {
      return null;
    }
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Refusal.TOTAL;
    }
    InetAddress address = addressOf(channel);
    boolean[] ok = {false};
    perAddress.compute(
        address,
        (a, n) -> {
          int count = n == null ? 0 : n;
          if (count >= maxPerAddress) {
            return n;
          }
          ok[0] = true;
          return count + 1;
        });
    if (!ok[0]) {
      total.decrementAndGet();
      return Refusal.PER_ADDRESS;
    }
    channel.attr(ADMITTED).set(Boolean.TRUE);
    channel.closeFuture().addListener(f -> release(address));
    return null;
  }

  private void release(InetAddress address) {
    total.decrementAndGet();
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
  }

  private static InetAddress addressOf(Channel channel) {
    if (channel.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress();
    }
    return InetAddress.getLoopbackAddress();
  }
}
