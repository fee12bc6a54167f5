package dev.patchbay.collections.client;

/** A registered {@code watch} listener; closing it stops the deliveries. Idempotent. */
public interface Subscription extends AutoCloseable {
  /** Stops delivering to the listener; a delivery already running finishes. */
  @Override
  void close();
}
