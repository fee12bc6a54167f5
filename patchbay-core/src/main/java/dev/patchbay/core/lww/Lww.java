package dev.patchbay.core.lww;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Last-write-wins documents: the pure rules a server and a client share.
 *
 * <p>An LWW document is stored as rows, one op per JSON path (the last winning write, with its
 * {@code ts} and the {@code rev} of the commit that stored it), over an optional snapshot. Its
 * state is the snapshot with every row applied in commit order. New ops are merged into the rows by
 * {@link #consolidate}: per path the later {@code ts} wins (ties to the incoming op), delta ops
 * ({@code @inc}, {@code @bit}, {@code @max}, {@code @min}) combine, soft writes never overwrite,
 * and a parent write replaces its children. The same rules consolidate a client's pending ops.
 *
 * <p>All methods are pure: they never change their arguments and return new values.
 */
public final class Lww {
  private static final Comparator<PatchOp> COMMIT_ORDER =
      Comparator.comparingLong((PatchOp op) -> op.rev() == null ? 0 : op.rev())
          .thenComparingLong(op -> op.ts() == null ? 0 : op.ts());

  private Lww() {}

  /**
   * Merges {@code newOps} into the rows {@code existingOps} (at most one op per path).
   *
   * <p>The incoming ops are taken in order, each one against the rows as the ones before it left
   * them. For each op:
   *
   * <ul>
   *   <li>under a parent row that holds a primitive: rejected, the parent row is returned as a
   *       correction;
   *   <li>a delta op on the same path combines with the row (same kind: sums, merged masks, max,
   *       min; another kind: applied to its value), whatever the timestamps; on a removed or
   *       missing value it starts fresh (0, or the operand for {@code @max}/{@code @min});
   *   <li>a soft op (or an {@code add} of an empty container) never overwrites existing data;
   *   <li>otherwise the higher {@code ts} wins, a tie or a missing incoming {@code ts} goes to the
   *       incoming op, a missing stored {@code ts} to the stored one;
   *   <li>an op that is saved deletes every row below its path;
   *   <li>a saved value (not a removal) below a removed parent turns the parent's removal row into
   *       an empty-object {@code replace} with the removal's {@code ts}, saved before it; a removal
   *       below a removed parent leaves the parent's row as it is. (The Patches server deletes the
   *       removed parent in both cases; then a client catching up from before the removal never
   *       learns of it. docs/lww.md.)
   * </ul>
   *
   * @param existingOps the current rows (for a client: its pending ops)
   * @param newOps the incoming ops, with their {@code ts}
   * @return the ops to save, the paths to delete and the corrections for losing ops
   */
  public static Consolidation consolidate(Collection<PatchOp> existingOps, List<PatchOp> newOps) {
    return Consolidator.consolidate(existingOps, newOps, false);
  }

  /**
   * Merges a commit's {@code newOps} into a document's stored rows, as {@link #consolidate} does,
   * and also stores the parents a written value creates: every parent of a saved value (not a
   * removal) that the rows do not hold as a container gets a {@code replace} row of an empty object
   * with {@code ts} 0, before the value, in the same commit. (A removed parent becomes an empty
   * object with the removal's {@code ts} in both methods.)
   *
   * <p>So the rows say everything the state holds: applying the rows written after any revision, in
   * commit order, to the state at that revision (a client catching up, or taking a broadcast) gives
   * the state that applying all rows gives (a fresh load). Without the parent rows, a parent that
   * only a later-removed child created would be {@code {}} on the first and missing on the second.
   * A client does not use this for its pending ops: it does not know the server's rows, and an
   * empty-object row it sent would replace a parent it cannot see.
   *
   * @param storedRows the document's rows
   * @param newOps the incoming ops, with their {@code ts}
   */
  public static Consolidation consolidateForCommit(
      Collection<PatchOp> storedRows, List<PatchOp> newOps) {
    return Consolidator.consolidate(storedRows, newOps, true);
  }

  /**
   * Consolidates two ops on the same path (see {@link #consolidate}) without the parent and child
   * rules.
   *
   * @return the op to store, or {@code null} when the existing op stands
   */
  public static @Nullable PatchOp consolidateFieldOp(PatchOp existing, PatchOp incoming) {
    return Consolidator.consolidateFieldOp(existing, incoming);
  }

  /**
   * Returns whether {@code op} is a delta op: {@code @inc}, {@code @bit}, {@code @max},
   * {@code @min}.
   */
  public static boolean isDeltaOp(PatchOp op) {
    return DeltaOps.isDelta(op.type());
  }

  /**
   * Returns the ops as a server stores them: a delta op becomes a {@code replace} with the value it
   * gives on a missing field ({@code @inc} and {@code @bit} from 0, {@code @max}/{@code @min} the
   * operand), a {@code remove} stays, any other op becomes a {@code replace} of its value (a {@code
   * remove} when it has none). Path, {@code ts} and {@code rev} are kept.
   */
  public static List<PatchOp> convertDeltaOps(List<PatchOp> ops) {
    List<PatchOp> result = new ArrayList<>(ops.size());
    for (PatchOp op : ops) {
      OpType type = op.type();
      if (type == OpType.REMOVE) {
        result.add(op);
      } else if (DeltaOps.isDelta(type)) {
        result.add(asRow(op, "replace", DeltaOps.apply(type, null, op.value())));
      } else if (op.value() == null) {
        result.add(asRow(op, "remove", null));
      } else {
        result.add(asRow(op, "replace", op.value()));
      }
    }
    return Collections.unmodifiableList(result);
  }

  private static PatchOp asRow(PatchOp op, String name, @Nullable JsonNode value) {
    return new PatchOp(name, op.path(), null, value, false, op.ts(), op.rev());
  }

  /**
   * Returns {@code ts} stamps for a commit: each op gets {@code min(op.ts ?? createdAt ?? now,
   * now)}, so a client clock running ahead can never make a write win.
   *
   * @param createdAt the change's creation time, or {@code null}
   * @param now the server's clock
   */
  public static List<PatchOp> stampTimestamps(
      List<PatchOp> ops, @Nullable Long createdAt, long now) {
    List<PatchOp> result = new ArrayList<>(ops.size());
    for (PatchOp op : ops) {
      long ts = op.ts() != null ? op.ts() : createdAt != null ? createdAt : now;
      long clamped = Math.min(ts, now);
      result.add(op.ts() != null && op.ts() == clamped ? op : op.withTs(clamped));
    }
    return Collections.unmodifiableList(result);
  }

  /**
   * Merges server changes with the ops a client has not had committed yet (its sending change's
   * ops, then its pending ops), for the document the client shows.
   *
   * <p>A pending value write (not a delta, not soft) wins locally: server ops at its path and below
   * are left out and the pending op applies after the server's. A pending delta op is re-applied on
   * the value of the last server op that writes its path (a server {@code remove} becomes a {@code
   * replace} with the fresh value). Every pending op not folded in that way is appended to the last
   * change. Other members of the changes are kept.
   *
   * @return {@code serverChanges} itself when there are no local ops or no server changes
   */
  public static List<Change> mergeServerWithLocal(
      List<Change> serverChanges, List<PatchOp> localOps) {
    return LocalMerge.merge(serverChanges, localOps);
  }

  /**
   * Returns the ops sorted in commit order: by {@code rev}, then by {@code ts} (stable), except
   * that within one revision an op never precedes an op at a path above it: rows below another row
   * of the same revision follow it, in order of depth, at that row's place.
   *
   * <p>A row below another of the same revision was written after it (writing a parent deletes the
   * rows below it), but its {@code ts} may be older (an empty parent row a commit adds, a removed
   * parent restored with its removal's {@code ts}, a client clock behind); by {@code ts} alone the
   * parent would be applied last and wipe the child.
   */
  public static List<PatchOp> commitOrder(Collection<PatchOp> ops) {
    List<PatchOp> sorted = new ArrayList<>(ops);
    sorted.sort(COMMIT_ORDER);
    int start = 0;
    while (start < sorted.size()) {
      long rev = revOf(sorted.get(start));
      int end = start + 1;
      while (end < sorted.size() && revOf(sorted.get(end)) == rev) {
        end++;
      }
      if (end - start > 1) {
        parentsFirst(sorted.subList(start, end));
      }
      start = end;
    }
    return Collections.unmodifiableList(sorted);
  }

  // Reorders one revision's ops (sorted by ts) so that each op sorts by the ts of its topmost
  // ancestor among them, then by its depth below that ancestor; ops without one keep their place.
  private static void parentsFirst(List<PatchOp> group) {
    Map<String, PatchOp> byPath = new HashMap<>();
    for (PatchOp op : group) {
      byPath.putIfAbsent(op.path(), op);
    }
    boolean nested = false;
    long[] rootTs = new long[group.size()];
    int[] depth = new int[group.size()];
    for (int i = 0; i < group.size(); i++) {
      PatchOp op = group.get(i);
      PatchOp root = op;
      int below = 0;
      int levels = 0;
      String path = op.path();
      while (!path.isEmpty()) {
        path = Paths.parent(path);
        levels++;
        PatchOp above = byPath.get(path);
        if (above != null) {
          root = above;
          below = levels;
        }
      }
      rootTs[i] = tsOf(root);
      depth[i] = below;
      nested |= below > 0;
    }
    if (!nested) {
      return;
    }
    Integer[] order = new Integer[group.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.comparingLong((Integer i) -> rootTs[i])
            .thenComparingInt(i -> depth[i])
            .thenComparingInt(i -> i));
    List<PatchOp> reordered = new ArrayList<>(group.size());
    for (Integer i : order) {
      reordered.add(group.get(i));
    }
    for (int i = 0; i < reordered.size(); i++) {
      group.set(i, reordered.get(i));
    }
  }

  private static long revOf(PatchOp op) {
    return op.rev() == null ? 0 : op.rev();
  }

  private static long tsOf(PatchOp op) {
    return op.ts() == null ? 0 : op.ts();
  }

  /** Returns the rows written after revision {@code rev}, in commit order. */
  public static List<PatchOp> opsSince(Collection<PatchOp> rows, long rev) {
    List<PatchOp> since = new ArrayList<>();
    for (PatchOp row : rows) {
      if (row.rev() != null && row.rev() > rev) {
        since.add(row);
      }
    }
    return commitOrder(since);
  }

  /** Returns the highest {@code rev} of the rows, or {@code floor} when none is higher. */
  public static long maxRev(Collection<PatchOp> rows, long floor) {
    long max = floor;
    for (PatchOp row : rows) {
      if (row.rev() != null && row.rev() > max) {
        max = row.rev();
      }
    }
    return max;
  }

  /**
   * Returns the ops of a commit's response: the corrections, then, in commit order, the stored row
   * of every sent path and of every path below one, and every row written after the client's {@code
   * baseRev} (its catch-up).
   *
   * @param corrections from {@link Consolidation#corrections()}
   * @param rows the rows after the commit
   * @param sentPaths the paths of the ops the client sent
   * @param baseRev the revision the client had
   */
  public static List<PatchOp> commitResponseOps(
      List<PatchOp> corrections,
      Collection<PatchOp> rows,
      Collection<String> sentPaths,
      long baseRev) {
    Map<String, PatchOp> selected = new LinkedHashMap<>();
    for (PatchOp row : rows) {
      if (row.rev() != null && row.rev() > baseRev || isAtOrUnderAny(row.path(), sentPaths)) {
        selected.put(row.path(), row);
      }
    }
    List<PatchOp> result = new ArrayList<>(corrections.size() + selected.size());
    result.addAll(corrections);
    result.addAll(commitOrder(selected.values()));
    return Collections.unmodifiableList(result);
  }

  private static boolean isAtOrUnderAny(String path, Collection<String> prefixes) {
    for (String prefix : prefixes) {
      if (Paths.isAtOrUnder(path, prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the state of a document: the snapshot with every row written after it applied in commit
   * order, in the Patches default apply mode (an op that cannot apply is skipped).
   *
   * @param snapshot the stored snapshot, or {@code null} for none (an empty object)
   * @param snapshotRev the revision of the snapshot (0 for none); rows at or below it are in it
   * @param rows the stored rows; a row without a {@code rev} counts as revision 0 but is applied
   * @return the state; {@code null} only when a row removed the root
   */
  public static @Nullable JsonNode buildState(
      @Nullable JsonNode snapshot, long snapshotRev, Collection<PatchOp> rows) {
    JsonNode base = snapshot == null ? Json.object() : snapshot;
    List<PatchOp> newer = new ArrayList<>(rows.size());
    for (PatchOp row : rows) {
      if (row.rev() == null || row.rev() > snapshotRev) {
        newer.add(row);
      }
    }
    List<PatchOp> ops = commitOrder(newer);
    return ops.isEmpty() ? base : JsonPatch.apply(base, ops, ApplyOptions.DEFAULT);
  }

  /**
   * Returns {@code rows} (path to op) after the ops of committed server changes: each op replaces
   * the row at its path and every row below it. This is how a client keeps its committed rows.
   */
  public static Map<String, PatchOp> applyServerOps(
      Map<String, PatchOp> rows, List<PatchOp> serverOps) {
    Map<String, PatchOp> result = new LinkedHashMap<>(rows);
    for (PatchOp op : serverOps) {
      result.keySet().removeIf(p -> Paths.isUnder(p, op.path()));
      result.put(op.path(), op);
    }
    return result;
  }
}
