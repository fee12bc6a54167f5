package dev.patchbay.client;

/**
 * Where the connection of a {@link PatchesSync} stands. It moves {@code DISCONNECTED → CONNECTING →
 * CONNECTED}; a failed attempt or a lost connection moves to {@code RECONNECTING} while the backoff
 * runs, then to {@code CONNECTING} again; reaching the attempt limit ends in {@code ERROR}; {@link
 * PatchesSync#disconnect()} returns to {@code DISCONNECTED} from anywhere.
 */
public enum ConnectionState {
  /** Not connected and not trying: before {@link PatchesSync#connect()} or after a disconnect. */
  DISCONNECTED,
  /** A connection attempt is under way. */
  CONNECTING,
  /** A connection is open. */
  CONNECTED,
  /** The last attempt failed or the connection was lost; the next attempt waits for its backoff. */
  RECONNECTING,
  /** The attempt limit was reached; nothing more is tried until {@link PatchesSync#connect()}. */
  ERROR
}
