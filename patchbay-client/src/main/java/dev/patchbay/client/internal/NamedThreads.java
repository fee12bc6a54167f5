package dev.patchbay.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names threads {@code patchbay-<role>-<n>} and makes them daemons, so a client never keeps a JVM
 * alive.
 */
public final class NamedThreads implements ThreadFactory {
  private static final AtomicInteger POOLS = new AtomicInteger();
  private final String prefix;
  private final AtomicInteger count = new AtomicInteger();

  /** Creates a factory for threads of {@code role}; pools of one role get distinct numbers. */
  public NamedThreads(String role) {
    this.prefix = "patchbay-" + role + "-" + POOLS.incrementAndGet() + "-";
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + count.incrementAndGet());
    t.setDaemon(true);
    return t;
  }
}
