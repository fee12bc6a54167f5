package dev.patchbay.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When to reconnect after a lost or failed connection: exponential backoff with jitter. The n-th
 * attempt in a row waits {@code min(maxDelay, initialDelay × 2^(n-1))}, shortened by up to {@code
 * jitter} of itself at random so that clients dropped together do not return together. A successful
 * connection resets the count. Instances are immutable.
 *
 * @param initialDelay the wait before the first attempt
 * @param maxDelay the longest wait
 * @param maxAttempts attempts in a row before giving up; 0 for no limit
 * @param jitter the largest fraction cut at random from a wait, 0 to 1
 */
public record ReconnectPolicy(
    Duration initialDelay, Duration maxDelay, int maxAttempts, double jitter) {

  /** 1 s doubling to 30 s, no attempt limit, up to 20 % jitter. */
  public static final ReconnectPolicy DEFAULT =
      new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0, 0.2);

  /** Validates the members. */
  public ReconnectPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive, was " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must be >= initialDelay, was " + maxDelay);
    }
    if (maxAttempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be >= 0, was " + maxAttempts);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be within 0..1, was " + jitter);
    }
  }

  /** Returns this policy with another attempt limit (0: none). */
  public ReconnectPolicy withMaxAttempts(int attempts) {
    return new ReconnectPolicy(initialDelay, maxDelay, attempts, jitter);
  }

  /** Returns this policy with another jitter fraction. */
  public ReconnectPolicy withJitter(double fraction) {
    return new ReconnectPolicy(initialDelay, maxDelay, maxAttempts, fraction);
  }

  /**
   * Returns the wait before attempt {@code attempt} (1 for the first in a row).
   *
   * @param random a number in [0, 1) that picks the jitter
   */
  public Duration delay(int attempt, double random) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
    long base = initialDelay.toMillis();
    long cap = maxDelay.toMillis();
    long delay = base;
    for (int i = 1; i < attempt && delay < cap; i++) {
      delay *= 2;
    }
    delay = Math.min(delay, cap);
    return Duration.ofMillis(Math.round(delay * (1 - jitter * random)));
  }
}
