package dev.patchbay.collections.client;

import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * Merges the two sides of a conflict (strategy {@link ConflictStrategy#CUSTOM}). It runs on the
 * client's sync thread while the local store is locked, so it must be quick and must not wait on
 * other threads. It may return one of its arguments; the inputs are copies.
 */
@FunctionalInterface
public interface ConflictResolver {
  /**
   * Returns the merged record.
   *
   * @param local the local record, changed since the version it was based on
   * @param remote the server's record
   * @param localTime when the local change was made
   * @param remoteTime the server record's {@code updatedAt}
   */
  ObjectNode resolve(ObjectNode local, ObjectNode remote, Instant localTime, Instant remoteTime);
}
