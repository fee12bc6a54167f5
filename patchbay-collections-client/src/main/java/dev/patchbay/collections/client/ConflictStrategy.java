package dev.patchbay.collections.client;

/**
 * How the client settles a record changed both locally (not yet pushed) and on the server since the
 * version the local change was based on.
 */
public enum ConflictStrategy {
  /** The side with the newer change time wins; a tie goes to the remote side. The default. */
  LAST_WRITE_WINS,
  /** The server's record wins; the local change is dropped. */
  SERVER_WINS,
  /** The local record wins and is pushed again over the server's. */
  CLIENT_WINS,
  /**
   * The configured {@link ConflictResolver} merges both sides; the result is stored and pushed. A
   * conflict involving a delete falls back to {@link #LAST_WRITE_WINS}.
   */
  CUSTOM,
  /**
   * The conflict is stored and the record marked {@link SyncStatus#CONFLICT}: its local copy stays
   * as it is and its changes are not pushed until the app settles it with {@link
   * RecordCollection#resolveConflict}; {@link CollectionsClient#pendingConflicts()} lists them.
   */
  MANUAL
}
