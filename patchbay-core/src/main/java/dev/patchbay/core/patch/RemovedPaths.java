package dev.patchbay.core.patch;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Transforms other ops past an op that removed or overwrote the value at one path (an object key,
 * or any path that is not an array index): ops that worked on the old value, at the path or under
 * it, lost their target and are dropped.
 *
 * <p>The rules, in the order they are checked for each other op:
 *
 * <ul>
 *   <li>An other op that itself sets the path again (not a remove, test or soft write) stays, and
 *       so does the rest of its patch unchanged: from there on it worked on its own new value. So
 *       with {@code replace P} against {@code replace P} the op transformed last wins.
 *   <li>With {@code otherOpsFirst} the other patch came first, so when both hard-set the path (the
 *       later writer wins) the other set is superseded: dropped, and the walk goes on so its
 *       dependents die too. If a later move/copy in the same patch carries the superseded value
 *       away, the set and the move are composed into a set at the destination, so the destination
 *       is still overwritten for ops transformed after this.
 *   <li>A move or copy out of the path moved nothing: the rest of the patch is transformed as if
 *       its destination had been removed.
 *   <li>A soft write at the path is dropped (the path is set already); later ops under the path
 *       then stay, since they may work on the surviving value.
 *   <li>Ops at the path or under it ({@code path} or {@code from}) are dropped. For an op that
 *       updates the value in place ({@code @txt}, {@code @inc}, …) only ops strictly under the path
 *       are dropped: ops at the path, even a remove, commute with it.
 * </ul>
 */
final class RemovedPaths implements OpWalk.Step {
  /** Merges an other op at the same path with this op (the {@code @txt} delta transform). */
  @FunctionalInterface
  interface SamePathMerge {
    /** Returns the merged op, or {@code null} to fall back to the plain rules. */
    @Nullable PatchOp merge(PatchOp other);
  }

  private final TransformState state;
  private final String thisPath;
  private final List<PatchOp> ops;
  private final boolean updatable;
  private final @Nullable String mergeOp;
  private final @Nullable SamePathMerge merge;
  private final @Nullable PatchOp thisOp;
  private final boolean thisOpWins;
  private final boolean composable;

  private boolean softSeen;

  /** The superseded hard set at thisPath whose value may still escape by a later move/copy. */
  private @Nullable PatchOp superseded;

  /** The {@code remove <from>} a superseded move-in still owes (its source was consumed). */
  private @Nullable PatchOp owedRemove;

  /** In-place edits of the superseded value, re-rooted onto an escape's destination. */
  private @Nullable List<PatchOp> trailing;

  private RemovedPaths(
      TransformState state,
      String thisPath,
      List<PatchOp> ops,
      boolean updatable,
      @Nullable String mergeOp,
      @Nullable SamePathMerge merge,
      @Nullable PatchOp thisOp) {
    this.state = state;
    this.thisPath = thisPath;
    this.ops = ops;
    this.updatable = updatable;
    this.mergeOp = mergeOp;
    this.merge = merge;
    this.thisOp = thisOp;
    this.thisOpWins = state.otherOpsFirst && thisOp != null && state.isHardSet(thisOp, thisPath);
    // Composition replaces one overwritten value; at an array index sets shift, they do not win.
    this.composable = thisOpWins && !state.isArrayPath(thisPath);
  }

  /** Drops the ops that worked on the value at {@code thisPath}, removed or overwritten. */
  static List<PatchOp> update(TransformState state, String thisPath, List<PatchOp> ops) {
    return update(state, thisPath, ops, null);
  }

  /**
   * Like {@link #update(TransformState, String, List)} for a set by {@code thisOp}, which enables
   * the later-writer-wins rule of {@code otherOpsFirst}.
   */
  static List<PatchOp> update(
      TransformState state, String thisPath, List<PatchOp> ops, @Nullable PatchOp thisOp) {
    return run(new RemovedPaths(state, thisPath, ops, false, null, null, thisOp));
  }

  /**
   * The variant for an op that updates the value in place ({@code @txt}, {@code @inc}, …): only ops
   * under the path are dropped. Other ops of the type {@code mergeOp} at the same path go through
   * {@code merge} when one is given.
   */
  static List<PatchOp> updateInPlace(
      TransformState state,
      String thisPath,
      List<PatchOp> ops,
      @Nullable String mergeOp,
      @Nullable SamePathMerge merge) {
    return run(new RemovedPaths(state, thisPath, ops, true, mergeOp, merge, null));
  }

  /** Transforms {@code ops} past the removal of the value at {@code thisPath}. */
  static List<PatchOp> transformRemove(
      TransformState state, String thisPath, List<PatchOp> ops, boolean isRemove) {
    if (state.isArrayPath(thisPath)) {
      return ArrayIndexes.shift(state, thisPath, ops, -1, isRemove);
    }
    return update(state, thisPath, ops);
  }

  private static List<PatchOp> run(RemovedPaths walk) {
    List<PatchOp> mapped = OpWalk.map(walk.ops, walk);
    if (walk.owedRemove == null) {
      return mapped;
    }
    // A superseded move-in whose source removal was never composed away still consumed it.
    List<PatchOp> out = new ArrayList<>(mapped.size() + 1);
    out.addAll(mapped);
    out.add(walk.owedRemove);
    return out;
  }

  @Override
  public void visit(PatchOp op, int index, OpWalk walk) {
    OpType like = TransformState.like(op);
    String path = op.path();
    String from = op.from();
    boolean canMerge = merge != null && op.op().equals(mergeOp);

    // An op touching a superseded move-in's source consumes or recreates it: the owed removal
    // must land first, and composing by reference is no longer sound. Escapes of the superseded
    // value (move/copy from thisPath) are handled by the escape rule below.
    PatchOp flushed = null;
    boolean isEscape =
        !updatable && thisPath.equals(from) && (like == OpType.MOVE || like == OpType.COPY);
    if (superseded != null && !isEscape && touchesSupersededSource(op)) {
      flushed = clearSuperseded();
    }

    if (thisPath.equals(path) && like != OpType.REMOVE && !canMerge && !op.soft()) {
      if (thisOpWins && state.isHardSet(op, thisPath)) {
        // The other patch set this path first and thisOp re-set it: the earlier set loses.
        PatchOp priorFlush = clearSuperseded();
        if (composable && isComposableSet(op)) {
          superseded = op;
          if ("move".equals(op.op())) {
            owedRemove = PatchOp.remove(requireFrom(op));
          }
          emit(walk, flushed, priorFlush);
          return;
        }
        // Not composable: a losing move-in still consumed its source.
        PatchOp residual = like == OpType.MOVE ? PatchOp.remove(requireFrom(op)) : null;
        if (priorFlush != null && residual != null) {
          emitMany(walk, flushed, List.of(priorFlush, residual));
        } else {
          emit(walk, flushed, priorFlush != null ? priorFlush : residual);
        }
        return;
      }
      // The other patch set the value again: what follows worked on that new value.
      if (!"test".equals(op.op())) {
        walk.stopKeepingRest();
      }
      if (superseded != null) {
        PatchOp owed = clearSuperseded();
        if (owed != null) {
          flushed = owed;
        }
      }
      emit(walk, flushed, op);
      return;
    }

    if (canMerge && path.equals(thisPath)) {
      PatchOp merged = merge.merge(op);
      if (merged != null) {
        emit(walk, flushed, merged);
        return;
      }
    }

    if (!updatable && thisPath.equals(from)) {
      if (superseded != null && (like == OpType.MOVE || like == OpType.COPY)) {
        List<PatchOp> composed = composeEscape(op, like);
        if (composed != null) {
          emitMany(walk, flushed, composed);
          return;
        }
      }
      if (like == OpType.MOVE) {
        // The move carried nothing away: the rest must be adjusted as if its target was removed.
        walk.stop();
        emitMany(walk, flushed, transformRemove(state, path, rest(index), false));
        return;
      }
      if (like == OpType.COPY) {
        // Nothing was copied: ops on the copy's destination are dropped as well.
        walk.stop();
        List<PatchOp> rest = transformRemove(state, thisPath, rest(index), false);
        emitMany(walk, flushed, transformRemove(state, path, rest, false));
        return;
      }
    }

    if (op.soft() && path.equals(thisPath)) {
      softSeen = true;
      emit(walk, flushed, null);
      return;
    }

    boolean samePath =
        (!updatable && path.equals(thisPath)) || (!softSeen && Paths.isUnder(path, thisPath));
    boolean sameFrom =
        (!updatable && thisPath.equals(from))
            || (!softSeen && from != null && Paths.isUnder(from, thisPath));
    if (samePath || sameFrom) {
      if (superseded != null) {
        if (path.equals(thisPath) && like == OpType.REMOVE) {
          // The superseded value was removed before it could escape: nothing left to track.
          emit(walk, flushed, clearSuperseded());
          return;
        }
        boolean pathWithin = Paths.isUnder(path, thisPath);
        boolean fromWithin = from == null || Paths.isUnder(from, thisPath);
        if (pathWithin && fromWithin) {
          // An in-place edit of the superseded value: kept aside in case it escapes.
          if (trailing == null) {
            trailing = new ArrayList<>();
          }
          trailing.add(op);
          emit(walk, flushed, null);
          return;
        }
        // A move out of the superseded subtree or similar: too entangled to compose.
        emit(walk, flushed, clearSuperseded());
        return;
      }
      emit(walk, flushed, null);
      return;
    }
    emit(walk, flushed, op);
  }

  /**
   * Composes the superseded set with a move/copy that carries its value to {@code escape.path}: a
   * set at the destination plus the buffered edits re-rooted there. Returns {@code null} when the
   * two are entangled (one path inside the other) and cannot be composed.
   */
  private @Nullable List<PatchOp> composeEscape(PatchOp escape, OpType like) {
    PatchOp set = superseded;
    if (set == null) {
      return null;
    }
    String dest = escape.path();
    PatchOp composed = null;
    String setOp = set.op();
    if ("add".equals(setOp) || "replace".equals(setOp)) {
      composed = PatchOp.of("add", dest, set.value());
    } else if ("copy".equals(setOp) || "move".equals(setOp)) {
      // Only a move escaping a superseded move-in (whose source removal is still owed) consumes
      // the source; anything else leaves it in place.
      boolean consumes = "move".equals(setOp) && like == OpType.MOVE && owedRemove != null;
      composed = new PatchOp(consumes ? "move" : "copy", dest, set.from(), null, false, null, null);
    }
    if (composed == null) {
      return null;
    }
    String cFrom = composed.from();
    if (cFrom != null
        && !cFrom.isEmpty()
        && (Paths.isUnder(composed.path(), cFrom) || Paths.isUnder(cFrom, composed.path()))) {
      return null;
    }
    List<PatchOp> edits = trailing == null ? List.of() : trailing;
    List<PatchOp> result = new ArrayList<>(edits.size() + 2);
    if (cFrom != null && cFrom.equals(composed.path())) {
      // Back onto its own source: a no-op, and the value is home, so no removal is owed.
      owedRemove = null;
    } else {
      result.add(composed);
    }
    for (PatchOp t : edits) {
      result.add(reroot(t, dest));
    }
    if (like == OpType.MOVE) {
      // The value left: thisPath is gone in the earlier patch's frame from here on.
      if ("move".equals(setOp)) {
        owedRemove = null;
      }
      PatchOp flush = clearSuperseded();
      if (flush != null) {
        result.add(flush);
      }
    }
    return result;
  }

  private PatchOp reroot(PatchOp op, String dest) {
    PatchOp mapped = op;
    if (Paths.isUnder(mapped.path(), thisPath)) {
      mapped = mapped.withPath(dest + mapped.path().substring(thisPath.length()));
    }
    String from = mapped.from();
    if (from != null && Paths.isUnder(from, thisPath)) {
      mapped = mapped.withFrom(dest + from.substring(thisPath.length()));
    }
    return mapped;
  }

  /** Literal sets compose by value; copy/move by reference, only when disjoint from thisPath. */
  private boolean isComposableSet(PatchOp op) {
    String name = op.op();
    if ("add".equals(name) || "replace".equals(name)) {
      return true;
    }
    if ("copy".equals(name) || "move".equals(name)) {
      String from = op.from();
      return from != null
          && !from.isEmpty()
          && !Paths.isUnder(from, thisPath)
          && !thisPath.startsWith(from + "/");
    }
    return false;
  }

  private boolean touchesSupersededSource(PatchOp op) {
    PatchOp set = superseded;
    String src = set == null ? null : set.from();
    if (src == null || src.isEmpty()) {
      return false;
    }
    return touches(op.path(), src) || touches(op.from(), src);
  }

  private static boolean touches(@Nullable String p, String src) {
    return p != null
        && !p.isEmpty()
        && (p.equals(src) || p.startsWith(src + "/") || src.startsWith(p + "/"));
  }

  private @Nullable PatchOp clearSuperseded() {
    superseded = null;
    trailing = null;
    PatchOp flush = owedRemove;
    owedRemove = null;
    return flush;
  }

  private List<PatchOp> rest(int index) {
    return ops.subList(index + 1, ops.size());
  }

  private static String requireFrom(PatchOp op) {
    String from = op.from();
    return from == null ? "" : from;
  }

  /** Emits {@code value} (possibly nothing), preceded by an owed removal flushed for it. */
  private static void emit(OpWalk walk, @Nullable PatchOp flushed, @Nullable PatchOp value) {
    if (flushed == null) {
      walk.emit(value);
    } else if (value == null) {
      walk.emit(flushed);
    } else {
      walk.emitBoth(flushed, value);
    }
  }

  private static void emitMany(OpWalk walk, @Nullable PatchOp flushed, List<PatchOp> values) {
    if (flushed == null) {
      walk.emitAll(values);
    } else {
      List<PatchOp> all = new ArrayList<>(values.size() + 1);
      all.add(flushed);
      all.addAll(values);
      walk.emitAll(all);
    }
  }
}
