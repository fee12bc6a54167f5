package dev.patchbay.server.spi;

/**
 * Which committed changes {@link ChangeStore#listChanges(String, ChangeQuery)} returns: those with
 * {@code afterRev < rev <= untilRev}, ascending by revision (descending when {@code reverse}), at
 * most {@code limit} of them (0 means no limit). With {@code reverse} and a limit the result is the
 * newest changes of the window. Instances are immutable.
 *
 * @param afterRev exclusive lower bound of the revisions, 0 for the start of the log
 * @param untilRev inclusive upper bound, {@link Long#MAX_VALUE} for the head
 * @param limit the maximum number of changes, 0 for no limit
 * @param reverse whether to order newest first
 */
public record ChangeQuery(long afterRev, long untilRev, int limit, boolean reverse) {

  /** Validates the bounds. */
  public ChangeQuery {
    if (afterRev < 0) {
      throw new IllegalArgumentException("afterRev must not be negative: " + afterRev);
    }
    if (untilRev < 0) {
      throw new IllegalArgumentException("untilRev must not be negative: " + untilRev);
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative: " + limit);
    }
  }

  /** Returns a query for the whole log, oldest first. */
  public static ChangeQuery all() {
    return new ChangeQuery(0, Long.MAX_VALUE, 0, false);
  }

  /** Returns a query for the changes after {@code rev}, oldest first. */
  public static ChangeQuery after(long rev) {
    return new ChangeQuery(rev, Long.MAX_VALUE, 0, false);
  }

  /** Returns this query with an inclusive upper bound on the revisions. */
  public ChangeQuery until(long rev) {
    return new ChangeQuery(afterRev, rev, limit, reverse);
  }

  /** Returns this query limited to {@code max} changes (0 for no limit). */
  public ChangeQuery limit(int max) {
    return new ChangeQuery(afterRev, untilRev, max, reverse);
  }

  /** Returns this query ordered newest first. */
  public ChangeQuery reversed() {
    return new ChangeQuery(afterRev, untilRev, limit, true);
  }
}
