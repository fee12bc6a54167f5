package dev.patchbay.collections.client;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a UI shows about syncing.
 *
 * @param lastSyncTime when the last sync run completed, if any did since start
 * @param syncEnabled whether syncing is switched on ({@link CollectionsClient#setSyncEnabled})
 * @param pendingCount operations in the outbox (any status)
 * @param conflictCount conflicts waiting for the app (strategy MANUAL)
 * @param realtime the realtime connection's state
 */
public record ClientStatus(
    @Nullable Instant lastSyncTime,
    boolean syncEnabled,
    int pendingCount,
    int conflictCount,
    RealtimeState realtime) {
  /** Validates the components. */
  public ClientStatus {
    Objects.requireNonNull(realtime, "realtime");
  }
}
