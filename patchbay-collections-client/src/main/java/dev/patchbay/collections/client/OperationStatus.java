package dev.patchbay.collections.client;

/** Where a queued operation is; a pushed operation leaves the outbox. */
public enum OperationStatus {
  /** Waiting to be pushed (possibly after a backoff). */
  PENDING,
  /**
   * Being pushed now; found at start-up after a crash, it is pushed again (the change id dedupes).
   */
  SYNCING,
  /** Refused by the server {@code maxRetries} times; kept until {@code retryFailed()}. */
  FAILED
}
