package dev.patchbay.core.patch;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One pass over a list of ops that maps each op to zero, one or several ops, and may stop early
 * (dropping or keeping the ops not visited yet). Every transform rule is such a pass.
 *
 * <p>The output list is only created at the first op that changes; when none does, the pass returns
 * the input list itself. Most ops of a patch do not touch the op they are transformed past, so the
 * common case allocates nothing but the walk.
 *
 * <p>Two things are filtered on the way, as the reference does: an input {@code move}/{@code copy}
 * onto its own source is dropped unvisited, and a single emitted op whose {@code from} equals its
 * {@code path} is dropped (a no-op move).
 */
final class OpWalk {
  /** Visits one op and says what replaces it through the walk's {@code emit…} methods. */
  @FunctionalInterface
  interface Step {
    void visit(PatchOp op, int index, OpWalk walk);
  }

  private final List<PatchOp> ops;
  private @Nullable ArrayList<PatchOp> out;
  private int index;
  private @Nullable PatchOp current;

  /** The current op was emitted as itself while nothing had changed yet (not copied out yet). */
  private boolean keptCurrent;

  private boolean stop;
  private boolean keepRest;

  private OpWalk(List<PatchOp> ops) {
    this.ops = ops;
  }

  /** Runs {@code step} over {@code ops}; returns {@code ops} itself when nothing changed. */
  static List<PatchOp> map(List<PatchOp> ops, Step step) {
    if (ops.isEmpty()) {
      return ops;
    }
    return new OpWalk(ops).run(step);
  }

  private List<PatchOp> run(Step step) {
    int n = ops.size();
    for (int i = 0; i < n; i++) {
      PatchOp original = ops.get(i);
      index = i;
      current = original;
      keptCurrent = false;
      if (isSelfMove(original)) {
        materialize();
        continue;
      }
      step.visit(original, i, this);
      if (out == null && !keptCurrent) {
        // Dropped: from here on the output differs from the input.
        materialize();
      }
      if (stop) {
        if (keepRest) {
          if (out != null) {
            out.addAll(ops.subList(i + 1, n));
          }
        } else if (i + 1 < n) {
          materialize();
        }
        break;
      }
    }
    return out == null ? ops : out;
  }

  /** Emits the op as a single result; dropped when it moves or copies onto its own source. */
  void emit(@Nullable PatchOp op) {
    if (op == null || isSelfMove(op)) {
      return;
    }
    if (out == null && op == current && !keptCurrent) {
      keptCurrent = true;
      return;
    }
    materialize().add(op);
  }

  /** Emits several ops as they are. */
  void emitAll(List<PatchOp> more) {
    materialize().addAll(more);
  }

  /** Emits two ops. */
  void emitBoth(PatchOp first, PatchOp second) {
    ArrayList<PatchOp> list = materialize();
    list.add(first);
    list.add(second);
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

  /** Creates the output on the first change: the unchanged ops so far, and the current if kept. */
  private ArrayList<PatchOp> materialize() {
    ArrayList<PatchOp> list = out;
    if (list == null) {
      list = new ArrayList<>(ops.size() + 2);
      for (int k = 0; k < index; k++) {
        list.add(ops.get(k));
      }
      if (keptCurrent) {
        list.add(current);
      }
      out = list;
    }
    return list;
  }

  private static boolean isSelfMove(PatchOp op) {
    String from = op.from();
    return from != null && from.equals(op.path());
  }
}
