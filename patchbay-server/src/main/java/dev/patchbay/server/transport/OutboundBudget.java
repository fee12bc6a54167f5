package dev.patchbay.server.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes queued for all connections of a transport that the kernel has not taken yet, against
 * one server-wide limit. Each connection also has its own limit; this one bounds the sum, which
 * otherwise grows with the number of lagging connections (100 connections at the default 8 MiB each
 * filled a 1 GiB heap and the server died of {@link OutOfMemoryError} under overload).
 */
final class OutboundBudget {
  private final long limit;
  private final AtomicLong used = new AtomicLong();

  /** A budget of {@code limit} bytes; 0 means a quarter of the JVM's maximum heap. */
  OutboundBudget(long limit) {
    this.limit = limit > 0 ? limit : defaultLimit();
  }

  /** A quarter of the maximum heap: the default of {@code --max-outbound-bytes-total}. */
  static long defaultLimit() {
    return Runtime.getRuntime().maxMemory() / 4;
  }

  /**
   * Takes {@code bytes}, even past the limit (the caller decides whether to go on); returns whether
   * the total stayed within it. Every take is given back with {@link #release}.
   */
  boolean take(long bytes) {
    return used.addAndGet(bytes) <= limit;
  }

  /** Gives back bytes taken before. */
  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long used() {
    return used.get();
  }

  long limit() {
    return limit;
  }
}
