package dev.patchbay.core.patch;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Transforms other ops past a {@code move}: a removal at {@code from} and an insert (or overwrite)
 * at {@code path} that happen at once.
 *
 * <ol>
 *   <li>Ops on the moved value (at or under {@code from}) follow it to {@code path}. They are
 *       <em>pinned</em> while the remaining steps run, so the index shifts of the move do not
 *       adjust them a second time.
 *   <li>The other ops are shifted as for a removal at {@code from} and an add at {@code path} (or,
 *       for a move inside one array known from the document, by the rotation between the two
 *       indexes).
 *   <li>Pins are taken off.
 * </ol>
 *
 * <p>A pin is a {@code $} in front of a pointer. A real pointer is empty or starts with {@code /},
 * so a pinned pointer never equals a real one nor lies under one: every rule that matches paths
 * passes a pinned op through untouched, with no extra bookkeeping.
 *
 * <p>With {@code otherOpsFirst} the other ops are committed ones being advanced past a queued move.
 * The two halves of the OT diamond must then agree on whether that move survives; see {@link
 * #findMirrorKiller}.
 */
final class MoveTransform {
  private static final char PIN = '$';

  private MoveTransform() {}

  /** Who makes the mirrored transform drop the move, and how (see {@link #findMirrorKiller}). */
  private record MirrorKiller(PatchOp op, boolean followedMove) {}

  /** Returns {@code ops} transformed to apply after {@code thisOp}, a move. */
  static List<PatchOp> transform(TransformState state, PatchOp thisOp, List<PatchOp> ops) {
    String from = thisOp.from();
    String path = thisOp.path();
    if (from == null || from.equals(path) || ops.isEmpty()) {
      return ops;
    }
    long fromIndex = state.arrayIndexInDocument(from);
    long pathIndex = state.arrayIndexInDocument(path);
    boolean sameArray = fromIndex >= 0 && pathIndex >= 0 && prefixOf(from).equals(prefixOf(path));

    MirrorKiller killer = state.otherOpsFirst ? findMirrorKiller(state, ops, from) : null;
    List<PatchOp> out = OpWalk.map(ops, new FollowValue(state, ops, from, path, killer));

    if (sameArray) {
      out = rotateWithinArray(state, prefixOf(from), fromIndex, pathIndex, out);
    } else {
      out =
          state.isArrayPath(from)
              ? ArrayIndexes.shift(state, from, out, -1, false)
              : RemovedPaths.update(state, from, out);
      // A move the mirror kills has no claim on its destination: committed sets there survive.
      out =
          state.isArrayPath(path)
              ? ArrayIndexes.shift(state, path, out, 1, false)
              : RemovedPaths.update(state, path, out, killer != null ? null : thisOp);
    }
    return OpWalk.map(out, (op, index, walk) -> walk.emit(unpin(op)));
  }

  /** Step 1: ops on the moved value follow it (pinned), plus the otherOpsFirst resolutions. */
  private static final class FollowValue implements OpWalk.Step {
    private final TransformState state;
    private final List<PatchOp> ops;
    private final String from;
    private final String path;
    private final @Nullable MirrorKiller killer;
    private boolean removed;

    FollowValue(
        TransformState state,
        List<PatchOp> ops,
        String from,
        String path,
        @Nullable MirrorKiller killer) {
      this.state = state;
      this.ops = ops;
      this.from = from;
      this.path = path;
      this.killer = killer;
    }

    @Override
    public void visit(PatchOp other, int index, OpWalk walk) {
      if (removed) {
        // The other patch removed the moved value earlier: from then on its ops work in a space
        // where the value is gone on both sides, so nothing below may shift them.
        walk.emit(pin(other));
        return;
      }
      OpType like = TransformState.like(other);
      if (like == OpType.REMOVE && from.equals(other.path())) {
        removed = true;
      }
      if (state.otherOpsFirst
          && like == OpType.MOVE
          && from.equals(other.from())
          && killer == null) {
        // Both moved the same value and the queued move survives the mirror: as the later
        // writer it decides where the value lives. The committed move is dropped and its tail
        // follows the value from the committed destination to ours.
        walk.stop();
        List<PatchOp> rest = ops.subList(index + 1, ops.size());
        String dest = other.path();
        if (dest.equals(path)) {
          walk.emitAll(pinAll(rest));
          return;
        }
        walk.emitAll(pinAll(transform(state, PatchOp.move(dest, path), rest)));
        return;
      }
      if (killer != null && killer.op() == other) {
        if (killer.followedMove()) {
          // The mirror drops the queued move (the value had already moved away), so the committed
          // move survives here too; in this frame the value sits at our destination.
          if (other.path().equals(path)) {
            walk.stop();
            walk.emitAll(pinAll(ops.subList(index + 1, ops.size())));
            return;
          }
          walk.emit(pin(other.withFrom(path)));
          return;
        }
        // A committed set clobbered our source first: the set wins, and the ghost our move left at
        // its destination must go as well.
        walk.emitBoth(pin(PatchOp.remove(path)), other);
        return;
      }
      PatchOp op = followPath(other);
      op = followFrom(op);
      walk.emit(op);
    }

    private PatchOp followPath(PatchOp op) {
      String p = op.path();
      if (p.isEmpty() || TransformState.isAdd(op) && p.equals(from)) {
        // A new value put at the old location is not the moved one.
        return op;
      }
      return isAtOrUnder(p, from) ? op.withPath(PIN + retarget(p)) : op;
    }

    private PatchOp followFrom(PatchOp op) {
      String f = op.from();
      if (f == null || f.isEmpty() || !isAtOrUnder(f, from)) {
        return op;
      }
      return op.withFrom(PIN + retarget(f));
    }

    /**
     * Returns {@code pointer} (at or under {@code from}) re-rooted at {@code path}. The reference
     * does this with a JavaScript string replace, which reads {@code $$}, {@code $&}, {@code $`}
     * and {@code $'} in the replacement as patterns; a destination key holding one of them is
     * rewritten the same way here so both sides produce the same pointer.
     */
    private String retarget(String pointer) {
      String rest = pointer.substring(from.length());
      if (path.indexOf('$') < 0) {
        return path + rest;
      }
      StringBuilder sb = new StringBuilder(path.length() + rest.length());
      for (int i = 0; i < path.length(); i++) {
        char c = path.charAt(i);
        char next = i + 1 < path.length() ? path.charAt(i + 1) : 0;
        if (c == '$' && next == '$') {
          sb.append('$');
          i++;
        } else if (c == '$' && next == '&') {
          sb.append(from);
          i++;
        } else if (c == '$' && next == '`') {
          i++;
        } else if (c == '$' && next == '\'') {
          sb.append(rest);
          i++;
        } else {
          sb.append(c);
        }
      }
      return sb.append(rest).toString();
    }
  }

  /**
   * Shifts indexes for a move inside one array: the elements between the two indexes rotate by one
   * toward the vacated slot. Inserts at the boundaries keep their index.
   */
  private static List<PatchOp> rotateWithinArray(
      TransformState state, String prefix, long from, long to, List<PatchOp> ops) {
    return OpWalk.map(
        ops,
        (op, index, walk) -> {
          String newFrom = rotate(state, op, false, prefix, from, to);
          String newPath = rotate(state, op, true, prefix, from, to);
          PatchOp out = op;
          if (newPath != null) {
            out = out.withPath(newPath);
          }
          if (newFrom != null) {
            out = out.withFrom(newFrom);
          }
          walk.emit(out);
        });
  }

  /** Returns the rotated pointer ({@code path} or {@code from}) of {@code op}, or null if kept. */
  private static @Nullable String rotate(
      TransformState state, PatchOp op, boolean isPath, String prefix, long from, long to) {
    String pointer = isPath ? op.path() : op.from();
    if (pointer == null || pointer.isEmpty() || !pointer.startsWith(prefix)) {
      return null;
    }
    long min = Math.min(from, to);
    long max = Math.max(from, to);
    int start = prefix.length();
    long otherIndex = state.indexAt(pointer, start);
    if (otherIndex < 0 || otherIndex < min || otherIndex > max) {
      return null;
    }
    int end = TransformState.segmentEnd(pointer, start);
    if (end == pointer.length() && isPath && TransformState.isAdd(op)) {
      if (otherIndex == min) {
        return null;
      }
      if (otherIndex == max) {
        if (max != from) {
          return null;
        }
        // A move down from inside the range onto the vacated top keeps its target.
        long otherFrom = state.indexAt(op.from(), start);
        if (TransformState.like(op) == OpType.MOVE
            && otherFrom >= 0
            && to <= otherFrom
            && otherFrom < from) {
          return null;
        }
      }
    }
    long modifier = from == min ? -1 : 1;
    return prefix + (otherIndex + modifier) + pointer.substring(end);
  }

  /**
   * In {@code otherOpsFirst} mode, finds whether the mirrored half of the diamond (the queued move
   * transformed past these committed ops) drops the move with source {@code from}, and which op
   * does it.
   *
   * <p>The scan replays that walk: a committed move of the same source makes the queued move follow
   * the value to the committed destination; the move dies when a committed op clobbers wherever the
   * value lives then (a hard set there or at an ancestor, or a removal covering it). When it dies
   * after following a committed move, that move is reported ({@code followedMove}): the committed
   * side owns the value. Otherwise the clobbering op is reported. {@code null} means the queued
   * move survives and wins as the later writer.
   *
   * <p>Inserts at an array index shift and never clobber; a literal {@code replace} overwrites even
   * there. An exact removal of the unfollowed source does not count: following the value already
   * carries that removal to the destination, which kills the ghost.
   */
  private static @Nullable MirrorKiller findMirrorKiller(
      TransformState state, List<PatchOp> ops, String from) {
    String src = from;
    PatchOp followed = null;
    for (PatchOp op : ops) {
      OpType like = TransformState.like(op);
      String path = op.path();
      if (like == OpType.MOVE && src.equals(op.from())) {
        if (followed == null) {
          followed = op;
        }
        src = path;
        continue;
      }
      boolean exactKill = false;
      if (path.equals(src) && !op.soft()) {
        boolean replace = "replace".equals(op.op());
        boolean adds = TransformState.isAdd(op);
        exactKill =
            src.equals(from)
                ? (adds || replace) && !state.isArrayPath(src)
                : replace || (adds && !state.isArrayPath(src));
      }
      boolean kills =
          exactKill
              || (!path.isEmpty() && Paths.isUnder(src, path) && state.isHardSet(op, path))
              || (like == OpType.REMOVE
                  && (Paths.isUnder(src, path) || (path.equals(src) && !src.equals(from))));
      if (kills) {
        return followed != null ? new MirrorKiller(followed, true) : new MirrorKiller(op, false);
      }
    }
    return null;
  }

  private static String prefixOf(String path) {
    return path.substring(0, path.lastIndexOf('/') + 1);
  }

  private static boolean isAtOrUnder(String p, String prefix) {
    return p.startsWith(prefix)
        && (p.length() == prefix.length() || p.charAt(prefix.length()) == '/');
  }

  private static PatchOp pin(PatchOp op) {
    String from = op.from();
    return new PatchOp(
        op.op(),
        PIN + op.path(),
        from == null || from.isEmpty() ? from : PIN + from,
        op.value(),
        op.soft(),
        op.ts(),
        op.rev());
  }

  private static List<PatchOp> pinAll(List<PatchOp> ops) {
    List<PatchOp> out = new ArrayList<>(ops.size());
    for (PatchOp op : ops) {
      out.add(pin(op));
    }
    return out;
  }

  private static PatchOp unpin(PatchOp op) {
    String path = op.path();
    String from = op.from();
    boolean pinnedPath = !path.isEmpty() && path.charAt(0) == PIN;
    boolean pinnedFrom = from != null && !from.isEmpty() && from.charAt(0) == PIN;
    if (!pinnedPath && !pinnedFrom) {
      return op;
    }
    return new PatchOp(
        op.op(),
        pinnedPath ? path.substring(1) : path,
        pinnedFrom ? from.substring(1) : from,
        op.value(),
        op.soft(),
        op.ts(),
        op.rev());
  }
}
