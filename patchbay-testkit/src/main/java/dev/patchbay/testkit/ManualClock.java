package dev.patchbay.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test moves it, so expiry can be tested without waiting. It is
 * thread-safe: a store may read it on its own threads while the test advances it.
 */
public final class ManualClock extends Clock {
  private final AtomicLong millis;

  /** Creates a clock standing at {@code epochMillis}. */
  public ManualClock(long epochMillis) {
    this.millis = new AtomicLong(epochMillis);
  }

  /** Moves the clock forward by {@code duration}. */
  public void advance(Duration duration) {
    millis.addAndGet(duration.toMillis());
  }

  /** Sets the clock to {@code epochMillis}. */
  public void set(long epochMillis) {
    millis.set(epochMillis);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** Returns this clock: a manual clock has no zone of its own to change. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
