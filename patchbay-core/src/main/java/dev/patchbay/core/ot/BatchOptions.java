package dev.patchbay.core.ot;

import java.util.Objects;

/**
 * Limits for {@link ChangeBatching#breakChangesIntoBatches}. Instances are immutable; start from
 * {@link #defaults()}.
 *
 * @param maxPayloadBytes the wire limit: the most JSON bytes one {@code commitChanges} batch may
 *     carry (default 1,000,000)
 * @param maxStorageBytes the per-change storage budget, measured by {@link
 *     SplitOptions#sizeCalculator()}; 0 for none
 * @param split how changes are measured and split
 */
public record BatchOptions(long maxPayloadBytes, long maxStorageBytes, SplitOptions split) {

  /** The default wire limit, 1,000,000 bytes. */
  public static final long DEFAULT_MAX_PAYLOAD_BYTES = 1_000_000;

  private static final BatchOptions DEFAULTS =
      new BatchOptions(DEFAULT_MAX_PAYLOAD_BYTES, 0, SplitOptions.defaults());

  /** Validates the limits. */
  public BatchOptions {
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be > 0, was " + maxPayloadBytes);
    }
    if (maxStorageBytes < 0) {
      throw new IllegalArgumentException("maxStorageBytes must be >= 0, was " + maxStorageBytes);
    }
    Objects.requireNonNull(split, "split");
  }

  /** Returns the defaults: a 1,000,000-byte wire limit, no storage budget, default splitting. */
  public static BatchOptions defaults() {
    return DEFAULTS;
  }

  /** Returns these options with another wire limit. */
  public BatchOptions withMaxPayloadBytes(long bytes) {
    return new BatchOptions(bytes, maxStorageBytes, split);
  }

  /** Returns these options with another per-change storage budget (0: none). */
  public BatchOptions withMaxStorageBytes(long bytes) {
    return new BatchOptions(maxPayloadBytes, bytes, split);
  }

  /** Returns these options with other split options. */
  public BatchOptions withSplit(SplitOptions options) {
    return new BatchOptions(maxPayloadBytes, maxStorageBytes, options);
  }
}
