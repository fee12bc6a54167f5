package dev.patchbay.client;

/** A registered listener; {@link #close()} removes it. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

  /** Removes the listener. Idempotent; never throws. */
  @Override
  void close();
}
