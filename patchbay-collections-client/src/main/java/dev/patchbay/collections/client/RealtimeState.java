package dev.patchbay.collections.client;

/** The realtime connection's state ({@link CollectionsClient#realtimeState()}). */
public enum RealtimeState {
  /** Not connected: realtime is off, or the client is closed. */
  DISCONNECTED,
  /** The first connection attempt is under way. */
  CONNECTING,
  /** The WebSocket handshake completed; the collections are subscribed. */
  CONNECTED,
  /** The connection was lost; another attempt follows after the backoff. */
  RECONNECTING,
  /** {@code maxReconnectAttempts} attempts in a row failed; only interval syncs remain. */
  ERROR
}
