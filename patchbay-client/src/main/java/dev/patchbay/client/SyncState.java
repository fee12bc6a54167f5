package dev.patchbay.client;

/**
 * The sync coordinator's state. Instances are immutable.
 *
 * @param online whether the network is considered available (the JVM has no reliable signal, so
 *     this stays {@code true} for now)
 * @param connected whether a connection to the server is open
 * @param syncing whether some document is being synced (flush or catch-up in flight)
 */
public record SyncState(boolean online, boolean connected, boolean syncing) {

  /** The state before the first connection. */
  public static final SyncState INITIAL = new SyncState(true, false, false);
}
