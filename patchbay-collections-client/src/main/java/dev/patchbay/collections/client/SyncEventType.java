package dev.patchbay.collections.client;

/** What a {@link SyncEvent} reports. */
public enum SyncEventType {
  /** A sync run started. */
  SYNC_STARTED,
  /** A sync run ended; metadata {@code pushed, pulled, conflicts, failed, pending}. */
  SYNC_COMPLETED,
  /** A sync run failed (server unreachable, pull refused…); {@code error} says why. */
  SYNC_FAILED,
  /**
   * A local change entered the outbox; metadata {@code operationType}, for a patch {@code
   * fieldsChanged}.
   */
  OPERATION_QUEUED,
  /** The server accepted a queued change; metadata {@code operationType, version}. */
  OPERATION_SYNCED,
  /** The server refused a queued change; metadata {@code operationType, retryCount, exhausted}. */
  OPERATION_FAILED,
  /** A conflict was found; metadata {@code localVersion, remoteVersion}. */
  CONFLICT_DETECTED,
  /**
   * A conflict was settled; metadata {@code strategy, winner} ({@code local}, {@code remote} or
   * {@code merged}), {@code localData}, {@code remoteData}, {@code resolvedData}.
   */
  CONFLICT_RESOLVED,
  /** The realtime WebSocket connected and subscribed; metadata {@code collections}. */
  REALTIME_CONNECTED,
  /** The realtime WebSocket was lost or closed; metadata {@code state} (the new state). */
  REALTIME_DISCONNECTED,
  /**
   * A record created elsewhere arrived over the realtime WebSocket and was applied; metadata {@code
   * version, seq}.
   */
  REALTIME_INSERT,
  /** A record changed elsewhere arrived over the realtime WebSocket and was applied; as above. */
  REALTIME_UPDATE,
  /** A delete made elsewhere arrived over the realtime WebSocket and was applied; as above. */
  REALTIME_DELETE
}
