package dev.patchbay.core.patch;

import dev.patchbay.core.json.Json;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Shifts the array indexes of other ops past an insert ({@code +1}) or a removal ({@code -1}) at
 * one index of one array.
 *
 * <p>The other ops form a sequential patch: each applies to the result of the ones before it. So
 * the position of this op's element is tracked through them — an insert at or before it moves it
 * up, a removal before it moves it down — and each other op is compared with the position as it is
 * at that op, not with the original index.
 */
final class ArrayIndexes implements OpWalk.Step {
  private final TransformState state;
  private final List<PatchOp> ops;
  private final String prefix;
  private final int modifier;
  private final boolean isRemove;
  private long index;

  /** Set by {@link #shiftPath} when a replace-like op on a removed element needs a slot first. */
  private @Nullable PatchOp resurrectSlot;

  private ArrayIndexes(
      TransformState state, List<PatchOp> ops, String thisPath, int modifier, boolean isRemove) {
    this.state = state;
    this.ops = ops;
    int slash = thisPath.lastIndexOf('/');
    this.prefix = thisPath.substring(0, slash + 1);
    this.index = TransformState.parseIndex(thisPath, slash + 1, thisPath.length());
    this.modifier = modifier;
    this.isRemove = isRemove;
  }

  /**
   * Returns {@code ops} adjusted for an insert ({@code modifier = 1}) or a removal ({@code -1}) at
   * the array index {@code thisPath}. {@code isRemove} is set for a real {@code remove} (not the
   * remove half of a move): then a move or copy out of the removed element takes its value with it.
   */
  static List<PatchOp> shift(
      TransformState state, String thisPath, List<PatchOp> ops, int modifier, boolean isRemove) {
    return OpWalk.map(ops, new ArrayIndexes(state, ops, thisPath, modifier, isRemove));
  }

  @Override
  public void visit(PatchOp original, int i, OpWalk walk) {
    String currentPath = prefix + index;
    if (isRemove && currentPath.equals(original.from())) {
      OpType like = TransformState.like(original);
      if (like == OpType.MOVE) {
        // The moved value is gone: what the rest of the patch did at the move's destination
        // worked on nothing, so it is transformed as a removal of that destination.
        walk.stop();
        walk.emitAll(RemovedPaths.transformRemove(state, original.path(), rest(i), false));
        return;
      }
      if (like == OpType.COPY) {
        walk.stop();
        List<PatchOp> rest = RemovedPaths.transformRemove(state, currentPath, rest(i), false);
        walk.emitAll(RemovedPaths.transformRemove(state, original.path(), rest, false));
        return;
      }
    }
    if (original.soft() && TransformState.isAdd(original) && original.path().equals(currentPath)) {
      // A soft insert where this op already put an element: the element it meant to ensure exists.
      walk.stopKeepingRest();
      return;
    }
    resurrectSlot = null;
    PatchOp op = shiftFrom(original);
    if (op != null && resurrectSlot == null) {
      op = shiftPath(op);
    }
    advancePast(original, walk);
    if (op == null) {
      return;
    }
    if (resurrectSlot != null) {
      walk.emitBoth(resurrectSlot, op);
    } else {
      walk.emit(op);
    }
  }

  private List<PatchOp> rest(int i) {
    return ops.subList(i + 1, ops.size());
  }

  private @Nullable PatchOp shiftFrom(PatchOp op) {
    String from = op.from();
    return from == null ? op : shift(op, from, false);
  }

  private @Nullable PatchOp shiftPath(PatchOp op) {
    return shift(op, op.path(), true);
  }

  /** Adjusts one pointer of {@code op} ({@code path} or {@code from}); null drops the op. */
  private @Nullable PatchOp shift(PatchOp op, String pointer, boolean isPath) {
    if (pointer.isEmpty() || !pointer.startsWith(prefix)) {
      return op;
    }
    int start = prefix.length();
    long otherIndex = state.indexAt(pointer, start);
    if (otherIndex < 0) {
      // Not an index under this array (an append "-", or a property of the array).
      return op;
    }
    int end = TransformState.segmentEnd(pointer, start);
    boolean whole = end == pointer.length();
    OpType like = TransformState.like(op);
    boolean adds = isPath && TransformState.isAdd(op);

    long thisIndex = index;
    // A move up within this array removes below its target first, so its target index is one
    // lower in the space where this op's index lives.
    if (like == OpType.MOVE && isPath) {
      String from = op.from();
      if (from != null && from.startsWith(prefix)) {
        long fromIndex = state.indexAt(from, start);
        if (fromIndex >= 0 && fromIndex < otherIndex) {
          thisIndex -= 1;
        }
      }
    }

    if (otherIndex < thisIndex) {
      return op;
    }
    if (otherIndex == thisIndex && modifier == -1) {
      if (whole) {
        if (adds) {
          // Inserting where an element was removed still inserts there.
          return op;
        }
        if ("replace".equals(op.op())) {
          // Replacing the removed element resurrects it: insert instead of overwriting a neighbour.
          return op.withOp("add");
        }
        if (like == OpType.REPLACE) {
          // An in-place update (@inc, @txt…) of the removed element: recreate a slot, then update
          // it.
          resurrectSlot = PatchOp.add(op.path(), Json.NODES.nullNode());
          return op;
        }
      }
      return null;
    }
    if (adds && otherIndex == thisIndex && whole) {
      // Concurrent inserts at the same index: the other one lands first (keeps its index); a soft
      // insert there is already satisfied.
      return op.soft() ? null : op;
    }
    String moved = prefix + (otherIndex + modifier) + pointer.substring(end);
    return isPath ? op.withPath(moved) : op.withFrom(moved);
  }

  /** Moves the tracked index past {@code other}, which the following ops see as applied. */
  private void advancePast(PatchOp other, OpWalk walk) {
    OpType like = TransformState.like(other);
    int start = prefix.length();

    // The remove half of a move happens before its add half.
    String from = other.from();
    if (like == OpType.MOVE && from != null && from.startsWith(prefix)) {
      long fromIndex = state.indexAt(from, start);
      if (fromIndex >= 0
          && TransformState.segmentEnd(from, start) == from.length()
          && fromIndex < index) {
        index -= 1;
      }
    }

    String path = other.path();
    if (!path.startsWith(prefix)) {
      return;
    }
    long otherIndex = state.indexAt(path, start);
    if (otherIndex < 0 || TransformState.segmentEnd(path, start) != path.length()) {
      return;
    }
    if (TransformState.isAdd(other)) {
      if (otherIndex <= index) {
        index += 1;
      }
    } else if (like == OpType.REMOVE) {
      if (otherIndex < index) {
        index -= 1;
      } else if (otherIndex == index && modifier == -1) {
        // Both removed the same element: the rest already works in the space without it.
        walk.stopKeepingRest();
      }
    } else if (modifier == -1 && otherIndex == index && like == OpType.REPLACE) {
      // The other patch wrote back into the removed slot: the rest targets that new value and
      // already accounts for the removal.
      walk.stopKeepingRest();
    }
  }
}
