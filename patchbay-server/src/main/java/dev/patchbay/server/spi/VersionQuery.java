package dev.patchbay.server.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Which versions {@link VersionStore#listVersions} returns and in which order ({@code
 * ListVersionsOptions} on the wire). Versions are sorted by {@code orderBy} (ties by id), ascending
 * or, with {@code reverse}, descending. The cursors are relative to that order: {@code startAfter}
 * keeps the versions that come strictly after the value in the listing and {@code endBefore} those
 * strictly before it — so with {@code reverse}, {@code startAfter: 10} keeps values below 10.
 * {@code origin} and {@code groupId} filter; {@code limit} (0 for none) applies last. Instances are
 * immutable.
 *
 * @param orderBy the sort field
 * @param reverse whether to sort descending
 * @param startAfter the exclusive cursor the listing starts after, or {@code null}
 * @param endBefore the exclusive cursor the listing ends before, or {@code null}
 * @param limit the maximum number of versions, 0 for no limit
 * @param origin only versions of this origin, or {@code null} for all
 * @param groupId only versions of this group, or {@code null} for all
 */
public record VersionQuery(
    VersionOrder orderBy,
    boolean reverse,
    @Nullable Long startAfter,
    @Nullable Long endBefore,
    int limit,
    @Nullable VersionOrigin origin,
    @Nullable String groupId) {

  /** Validates the limit. */
  public VersionQuery {
    Objects.requireNonNull(orderBy, "orderBy");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
  }

  /** Returns a query for every version sorted ascending by {@code order}. */
  public static VersionQuery orderBy(VersionOrder order) {
    return new VersionQuery(order, false, null, null, 0, null, null);
  }

  /** Returns this query sorted descending. */
  public VersionQuery reversed() {
    return new VersionQuery(orderBy, true, startAfter, endBefore, limit, origin, groupId);
  }

  /** Returns this query starting after {@code value} of the sort field. */
  public VersionQuery startAfter(long value) {
    return new VersionQuery(orderBy, reverse, value, endBefore, limit, origin, groupId);
  }

  /** Returns this query ending before {@code value} of the sort field. */
  public VersionQuery endBefore(long value) {
    return new VersionQuery(orderBy, reverse, startAfter, value, limit, origin, groupId);
  }

  /** Returns this query limited to {@code max} versions (0 for no limit). */
  public VersionQuery limit(int max) {
    return new VersionQuery(orderBy, reverse, startAfter, endBefore, max, origin, groupId);
  }

  /** Returns this query restricted to one origin. */
  public VersionQuery origin(VersionOrigin only) {
    return new VersionQuery(orderBy, reverse, startAfter, endBefore, limit, only, groupId);
  }

  /** Returns this query restricted to one group. */
  public VersionQuery groupId(String only) {
    return new VersionQuery(orderBy, reverse, startAfter, endBefore, limit, origin, only);
  }

  /**
   * Returns whether {@code version} passes the filters and cursors of this query (the order and
   * limit aside). Stores may use it to filter in memory.
   */
  public boolean matches(VersionMetadata version) {
    if (origin != null && version.origin() != origin) {
      return false;
    }
    if (groupId != null && !groupId.equals(version.groupId())) {
      return false;
    }
    long value = orderBy.sortKey(version);
    if (startAfter != null && (reverse ? value >= startAfter : value <= startAfter)) {
      return false;
    }
    return endBefore == null || (reverse ? value > endBefore : value < endBefore);
  }
}
