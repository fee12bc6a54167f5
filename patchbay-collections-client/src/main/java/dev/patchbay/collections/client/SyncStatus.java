package dev.patchbay.collections.client;

/** A record's sync state, for a UI. */
public enum SyncStatus {
  /** The local copy matches the server version it was last synced with. */
  SYNCED,
  /** Local changes wait in the outbox. */
  PENDING,
  /** A conflict waits for {@link RecordCollection#resolveConflict} (strategy MANUAL). */
  CONFLICT,
  /** A local change was refused {@code maxRetries} times and waits for {@code retryFailed()}. */
  ERROR
}
