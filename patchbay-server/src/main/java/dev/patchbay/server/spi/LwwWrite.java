package dev.patchbay.server.spi;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import java.util.List;
import java.util.Set;

/**
 * One atomic write to a last-write-wins document ({@link LwwStore#saveLwwOps}): rows to remove, ops
 * to store, and the change ids to remember for retry deduplication. Instances are immutable.
 *
 * @param ops the consolidated ops to store, one row per path
 * @param pathsToDelete paths whose rows, and the rows under them, are removed
 * @param changeIds the ids of the changes this write commits
 * @param changeIdsExpireAt until when (epoch milliseconds) the ids are remembered
 */
public record LwwWrite(
    List<PatchOp> ops, List<String> pathsToDelete, Set<String> changeIds, long changeIdsExpireAt) {

  /** Copies the lists and the id set. */
  public LwwWrite {
    ops = List.copyOf(ops);
    pathsToDelete = List.copyOf(pathsToDelete);
    changeIds = Set.copyOf(changeIds);
    for (PatchOp op : ops) {
      requirePointer(op.path());
    }
    for (String path : pathsToDelete) {
      requirePointer(path);
    }
  }

  private static void requirePointer(String path) {
    if (!Paths.isPointer(path)) {
      throw new PatchbayException(400, "Invalid JSON Pointer: " + path);
    }
  }

  /** Returns a write that stores {@code ops} and nothing else. */
  public static LwwWrite of(List<PatchOp> ops) {
    return new LwwWrite(ops, List.of(), Set.of(), 0);
  }

  /** Returns this write also removing the rows at and under {@code paths}. */
  public LwwWrite deleting(List<String> paths) {
    return new LwwWrite(ops, paths, changeIds, changeIdsExpireAt);
  }

  /** Returns this write also remembering {@code ids} until {@code expireAt}. */
  public LwwWrite remembering(Set<String> ids, long expireAt) {
    return new LwwWrite(ops, pathsToDelete, ids, expireAt);
  }
}
