package dev.patchbay.core.patch;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One pass over a list of ops that maps each op to zero, one or several ops, and may stop early
 * (dropping or keeping the ops not visited yet). Every transform rule is such a pass.
 *
 * <p>When no op changed, the pass returns the input list itself, so the common case (ops that do
 * not touch each other) allocates nothing that survives. Two things are filtered on the way, as the
 * reference does: an input {@code move}/{@code copy} onto its own source is dropped unvisited, and
 * a single emitted op whose {@code from} equals its {@code path} is dropped (a no-op move).
 */
final class OpWalk {
  /** Visits one op and says what replaces it through the walk's {@code emit…} methods. */
  @FunctionalInterface
  interface Step {
    void visit(PatchOp op, int index, OpWalk walk);
  }

  private final ArrayList<PatchOp> out;
  private boolean changed;
  private boolean multi;
  private boolean stop;
  private boolean keepRest;

  private OpWalk(int capacity) {
    this.out = new ArrayList<>(capacity);
  }

  /** Runs {@code step} over {@code ops}; returns {@code ops} itself when nothing changed. */
  static List<PatchOp> map(List<PatchOp> ops, Step step) {
    int n = ops.size();
    if (n == 0) {
      return ops;
    }
    OpWalk walk = new OpWalk(n + 2);
    for (int i = 0; i < n; i++) {
      PatchOp original = ops.get(i);
      if (isSelfMove(original)) {
        walk.changed = true;
        continue;
      }
      int before = walk.out.size();
      walk.multi = false;
      step.visit(original, i, walk);
      if (walk.multi || walk.out.size() != before + 1 || walk.out.get(before) != original) {
        walk.changed = true;
      }
      if (walk.stop) {
        if (walk.keepRest) {
          walk.out.addAll(ops.subList(i + 1, n));
        }
        break;
      }
    }
    return walk.changed ? walk.out : ops;
  }

  /** Emits the op as a single result; dropped when it moves or copies onto its own source. */
  void emit(@Nullable PatchOp op) {
    if (op != null && !isSelfMove(op)) {
      out.add(op);
    }
  }

  /** Emits several ops as they are (a multi-op result always counts as a change). */
  void emitAll(List<PatchOp> ops) {
    multi = true;
    out.addAll(ops);
  }

  /** Emits two ops as a multi-op result. */
  void emitBoth(PatchOp first, PatchOp second) {
    multi = true;
    out.add(first);
    out.add(second);
  }

  /** Ends the walk after the current op, dropping the ops not visited yet. */
  void stop() {
    stop = true;
    keepRest = false;
  }

  /** Ends the walk after the current op, keeping the ops not visited yet unchanged. */
  void stopKeepingRest() {
    stop = true;
    keepRest = true;
  }

  private static boolean isSelfMove(PatchOp op) {
    String from = op.from();
    return from != null && from.equals(op.path());
  }
}
