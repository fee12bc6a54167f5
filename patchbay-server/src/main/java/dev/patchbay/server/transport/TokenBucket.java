package dev.patchbay.server.transport;

/**
 * The message rate limit of one connection: {@code burst} tokens, refilled at {@code perSecond}.
 * Used on the connection's I/O thread only, so it needs no synchronisation.
 */
final class TokenBucket {
  private final double capacity;
  private final double perNano;
  private double tokens;
  private long last;

  TokenBucket(int perSecond, int burst, long nowNanos) {
    this.capacity = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
