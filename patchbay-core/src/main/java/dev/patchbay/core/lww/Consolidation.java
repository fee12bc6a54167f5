package dev.patchbay.core.lww;

import dev.patchbay.core.patch.PatchOp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What consolidating incoming ops into the stored last-write-wins rows decided: the ops to save
 * (one per path), the stored paths to delete, and corrections for the sender.
 *
 * <p>{@code opsToSave} still hold delta ops as they were combined, which is what a client keeps as
 * pending ops; a server stores {@link #opsToStore(long)}, where every delta op has become a {@code
 * replace} with its concrete value. Apply {@code pathsToDelete} before saving. Instances are
 * immutable and can be shared between threads.
 *
 * @param opsToSave the ops to store, at most one per path, in the order they were last written
 * @param pathsToDelete stored paths whose rows must go (children of a written parent, removed
 *     parents under a new write)
 * @param corrections the current stored op for each path where an incoming op lost or was rejected
 *     (for a write under a primitive, the primitive parent), so the sender can converge
 */
public record Consolidation(
    List<PatchOp> opsToSave, List<String> pathsToDelete, List<PatchOp> corrections) {

  /** Makes defensive copies. */
  public Consolidation {
    opsToSave = List.copyOf(opsToSave);
    pathsToDelete = List.copyOf(pathsToDelete);
    corrections = List.copyOf(corrections);
  }

  /** Returns whether the stored rows change at all (something to save or to delete). */
  public boolean changesRows() {
    return !opsToSave.isEmpty() || !pathsToDelete.isEmpty();
  }

  /**
   * Returns the rows a server stores for this commit: {@link #opsToSave()} with delta ops turned
   * into {@code replace} ops ({@link Lww#convertDeltaOps}) and stamped with the commit's revision.
   */
  public List<PatchOp> opsToStore(long rev) {
    List<PatchOp> converted = Lww.convertDeltaOps(opsToSave);
    List<PatchOp> stamped = new ArrayList<>(converted.size());
    for (PatchOp op : converted) {
      stamped.add(op.withRev(rev));
    }
    return Collections.unmodifiableList(stamped);
  }

  /**
   * Returns {@code rows} (path to op) after this consolidation, with {@link #opsToSave()} kept as
   * they are: how a client updates its pending ops. The input map is not changed.
   */
  public Map<String, PatchOp> applyTo(Map<String, PatchOp> rows) {
    return apply(rows, opsToSave);
  }

  /**
   * Returns {@code rows} (path to op) after committing this consolidation as revision {@code rev}:
   * how a server updates its stored rows. The input map is not changed.
   */
  public Map<String, PatchOp> commitTo(Map<String, PatchOp> rows, long rev) {
    return apply(rows, opsToStore(rev));
  }

  private Map<String, PatchOp> apply(Map<String, PatchOp> rows, List<PatchOp> ops) {
    Map<String, PatchOp> result = new LinkedHashMap<>(rows);
    for (String path : pathsToDelete) {
      result.remove(path);
    }
    for (PatchOp op : ops) {
      result.put(op.path(), op);
    }
    return result;
  }
}
