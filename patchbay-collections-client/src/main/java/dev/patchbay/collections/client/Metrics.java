package dev.patchbay.collections.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Counts the client's events into {@link SyncMetrics}; fed synchronously by every emit. */
final class Metrics {
  private static final int DURATIONS = 100;
  private static final int DISTINCT_ERRORS = 1000; // bounds the error map

  private long attempts;
  private long successes;
  private long failures;
  private long conflictsDetected;
  private long conflictsResolved;
  private long queued;
  private long synced;
  private long opFailed;
  private final ArrayDeque<Long> durations = new ArrayDeque<>();
  private final Map<String, Long> errors = new HashMap<>();
  private long runStartedNanos;
  private @Nullable Instant lastSync;

  synchronized void record(SyncEvent e) {
    switch (e.type()) {
      case SYNC_STARTED -> {
        attempts++;
        runStartedNanos = System.nanoTime();
      }
      case SYNC_COMPLETED -> {
        successes++;
        ended();
        lastSync = e.timestamp();
      }
      case SYNC_FAILED -> {
        failures++;
        ended();
        error(e.error());
      }
      case OPERATION_QUEUED -> queued++;
      case OPERATION_SYNCED -> synced++;
      case OPERATION_FAILED -> {
        opFailed++;
        error(e.error());
      }
      case CONFLICT_DETECTED -> conflictsDetected++;
      case CONFLICT_RESOLVED -> conflictsResolved++;
      default -> {}
    }
  }

  private void ended() {
    if (durations.size() == DURATIONS) {
      durations.removeFirst();
    }
    durations.addLast(System.nanoTime() - runStartedNanos);
  }

  private void error(@Nullable String message) {
    String key = message == null ? "unknown" : message;
    if (errors.containsKey(key) || errors.size() < DISTINCT_ERRORS) {
      errors.merge(key, 1L, Long::sum);
    }
  }

  synchronized @Nullable Instant lastSync() {
    return lastSync;
  }

  synchronized SyncMetrics snapshot() {
    long ended = successes + failures;
    long total = 0;
    for (long d : durations) {
      total += d;
    }
    Map<String, Long> top = new LinkedHashMap<>();
    errors.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(5)
        .forEach(en -> top.put(en.getKey(), en.getValue()));
    return new SyncMetrics(
        attempts,
        successes,
        failures,
        ended == 0 ? 0 : (double) successes / ended,
        durations.isEmpty() ? Duration.ZERO : Duration.ofNanos(total / durations.size()),
        conflictsDetected,
        conflictsResolved,
        queued,
        synced,
        opFailed,
        top,
        lastSync);
  }

  synchronized void reset() {
    attempts = successes = failures = conflictsDetected = conflictsResolved = 0;
    queued = synced = opFailed = 0;
    durations.clear();
    errors.clear();
  }
}
