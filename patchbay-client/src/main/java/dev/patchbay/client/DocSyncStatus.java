package dev.patchbay.client;

/** Where one document stands with the server. */
public enum DocSyncStatus {
  /** Not synced on the current connection yet (or not connected). */
  UNSYNCED,
  /** A flush or catch-up is in flight. */
  SYNCING,
  /** Up to date with the server as of the last exchange; new local edits may be pending. */
  SYNCED,
  /** The last sync failed; it is retried on the next edit or connection. */
  ERROR
}
