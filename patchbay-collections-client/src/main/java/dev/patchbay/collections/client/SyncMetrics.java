package dev.patchbay.collections.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Counters since the client started or {@link CollectionsClient#resetMetrics()} was called.
 *
 * @param syncAttempts sync runs started
 * @param syncSuccesses runs that completed
 * @param syncFailures runs that failed
 * @param successRate successes / attempts that ended (0 when none ended)
 * @param averageSyncDuration mean duration of the last 100 runs that ended
 * @param conflictsDetected conflicts found
 * @param conflictsResolved conflicts settled
 * @param operationsQueued local changes queued
 * @param operationsSynced queued changes the server took
 * @param operationsFailed refusals of queued changes
 * @param topErrors the five most frequent errors with their counts, most frequent first
 * @param lastSyncTime when the last run completed, if any did
 */
public record SyncMetrics(
    long syncAttempts,
    long syncSuccesses,
    long syncFailures,
    double successRate,
    Duration averageSyncDuration,
    long conflictsDetected,
    long conflictsResolved,
    long operationsQueued,
    long operationsSynced,
    long operationsFailed,
    Map<String, Long> topErrors,
    @Nullable Instant lastSyncTime) {
  /** Validates and copies the components. */
  public SyncMetrics {
    Objects.requireNonNull(averageSyncDuration, "averageSyncDuration");
    topErrors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(topErrors));
  }
}
