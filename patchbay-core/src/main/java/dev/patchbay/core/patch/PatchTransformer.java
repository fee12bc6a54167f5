package dev.patchbay.core.patch;

import dev.patchbay.core.text.Delta;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The OT transform of JSON patches, rule for rule the one of the Patches reference (its {@code
 * transformPatch}), so a Java server and JavaScript clients walking the same OT diamond compute the
 * same ops.
 *
 * <p>{@code otherOps} are transformed past each op of {@code thisOps} in turn; each op type has its
 * own rule. The result is a new immutable list; inputs are never changed, and ops that a rule does
 * not touch are passed on as the same instances.
 */
final class PatchTransformer {
  private PatchTransformer() {}

  static List<PatchOp> transform(
      @Nullable JsonNode obj,
      List<PatchOp> thisOps,
      List<PatchOp> otherOps,
      boolean otherOpsFirst) {
    Objects.requireNonNull(thisOps, "thisOps");
    Objects.requireNonNull(otherOps, "otherOps");
    long meeting = meeting(thisOps, otherOps);
    if (meeting == INDEPENDENT) {
      return List.copyOf(otherOps); // what the walk would return, without walking
    }
    if (meeting >= 0) {
      List<PatchOp> rebased = rebaseText(thisOps, otherOps, meeting);
      if (rebased != null) {
        return rebased;
      }
    }
    return walk(obj, thisOps, otherOps, otherOpsFirst);
  }

  /**
   * When the two patches meet only where each has one {@code @txt} op on the same text (two clients
   * typing into one document, each also setting unrelated keys), returns {@code otherOps} with that
   * op's Delta rebased, which is what the walk returns: every other op passes the walk unchanged
   * (as in {@link #independent}) and the walk's {@code @txt} step rebases the text op with the same
   * {@link TextRebase}. Returns {@code null} in every other case, and the walk decides. This skips
   * the walk's state and per-op machinery, most of a commit's transform cost when many clients edit
   * one text.
   */
  static @Nullable List<PatchOp> textOnly(List<PatchOp> thisOps, List<PatchOp> otherOps) {
    long meeting = meeting(thisOps, otherOps);
    return meeting >= 0 ? rebaseText(thisOps, otherOps, meeting) : null;
  }

  /**
   * Returns {@code otherOps} transformed past each of {@code patches} in turn, statelessly: what
   * {@link #transform}{@code (null, patch, ops, false)} gives, applied once per patch. While the
   * patches meet the ops only in an edit of one text (see {@link #textOnly}), the rebased Delta is
   * carried from step to step and turned into JSON once, after the last of them: a commit that met
   * thirty concurrent edits of one text made thirty Deltas' JSON and kept only the last.
   */
  static List<PatchOp> transformPast(List<List<PatchOp>> patches, List<PatchOp> otherOps) {
    List<PatchOp> ops = otherOps;
    int pendingAt = -1; // where in ops the text op sits whose rebased Delta is not yet JSON
    Delta pending = null;
    DeltaCache deltas = DELTAS.get();
    for (int p = 0, n = patches.size(); p < n; p++) {
      List<PatchOp> patch = patches.get(p);
      long meeting = meeting(patch, ops); // reads paths and op names only, never the stale value
      if (meeting == INDEPENDENT) {
        continue;
      }
      if (meeting >= 0) {
        int at = (int) meeting;
        JsonNode mine = deltaOps(patch.get((int) (meeting >>> 32)).value());
        Delta other = at == pendingAt ? pending : null;
        if (other == null) {
          JsonNode theirs = deltaOps(ops.get(at).value());
          other = theirs == null ? null : deltas.parse(theirs);
        }
        if (mine != null && other != null) {
          if (pendingAt >= 0 && pendingAt != at) {
            ops = withText(ops, pendingAt, Objects.requireNonNull(pending), deltas);
          }
          pending = deltas.parse(mine).transform(other, true); // as TextRebase.merge
          pendingAt = at;
          continue;
        }
      }
      if (pendingAt >= 0) {
        ops = withText(ops, pendingAt, Objects.requireNonNull(pending), deltas);
        pendingAt = -1;
      }
      ops = transform(null, patch, ops, false);
    }
    if (pendingAt >= 0) {
      ops = withText(ops, pendingAt, Objects.requireNonNull(pending), deltas);
    }
    return ops == otherOps ? List.copyOf(otherOps) : ops;
  }

  /** {@code ops} with the value of the text op at {@code at} replaced by {@code delta}'s JSON. */
  private static List<PatchOp> withText(List<PatchOp> ops, int at, Delta delta, DeltaCache deltas) {
    return replaced(ops, at, withDelta(ops.get(at), delta, deltas));
  }

  /**
   * {@code op} with {@code delta}'s JSON as its value, remembered so the next step reads it back.
   */
  private static PatchOp withDelta(PatchOp op, Delta delta, DeltaCache deltas) {
    JsonNode json = delta.toJson();
    deltas.put(json, delta);
    return op.withValue(json);
  }

  /** A copy of {@code ops} with {@code op} at {@code at}. */
  private static List<PatchOp> replaced(List<PatchOp> ops, int at, PatchOp op) {
    PatchOp[] out = ops.toArray(new PatchOp[0]);
    out[at] = op;
    return List.of(out);
  }

  /** {@link #textOnly} for the text-edit pair {@link #meeting} found. */
  private static @Nullable List<PatchOp> rebaseText(
      List<PatchOp> thisOps, List<PatchOp> otherOps, long meeting) {
    int thisText = (int) (meeting >>> 32);
    int otherText = (int) meeting;
    PatchOp merged = new TextRebase(thisOps.get(thisText)).merge(otherOps.get(otherText));
    if (merged == null) {
      return null; // not Deltas: the walk's plain rules decide
    }
    return replaced(otherOps, otherText, merged);
  }

  /** The transform without the {@link #independent} shortcut. */
  static List<PatchOp> walk(
      @Nullable JsonNode obj,
      List<PatchOp> thisOps,
      List<PatchOp> otherOps,
      boolean otherOpsFirst) {
    TransformState state = new TransformState(obj, otherOpsFirst);
    List<PatchOp> ops = otherOps;
    for (PatchOp thisOp : thisOps) {
      if (ops.isEmpty()) {
        break;
      }
      ops = transformPast(state, thisOp, ops);
    }
    return List.copyOf(ops);
  }

  // Past this many op pairs the precheck could cost more than the walk it saves.
  private static final int MAX_PRECHECK_PAIRS = 1_024;

  /**
   * Whether no op of {@code thisOps} can touch an op of {@code otherOps}, so every rule would pass
   * the other ops on unchanged: no path (or {@code from}) of one is at, above or under a path of
   * the other, and neither addresses an array element beside the other (an insert, remove or move
   * there shifts its siblings and everything under them). Concurrent edits of different keys, the
   * common case of a busy document, are decided here instead of by the walk. A move or copy onto
   * its own source among the other ops is not passed on by the walk, so it rules the shortcut out.
   * Conservative: a numeric last segment counts as an array element even where it names an object
   * key, and then the walk decides.
   */
  static boolean independent(List<PatchOp> thisOps, List<PatchOp> otherOps) {
    return meeting(thisOps, otherOps) == INDEPENDENT;
  }

  // What meeting() found: no op pair touches, or more than one text-edit pair does.
  private static final long INDEPENDENT = -1;
  private static final long ENTANGLED = -2;

  /**
   * Where the two patches meet, in one pass over the op pairs for both shortcuts: {@link
   * #INDEPENDENT} (see {@link #independent}), the positions {@code (thisIndex << 32) | otherIndex}
   * of the one pair that touches when it is two {@code @txt} ops on the same text (see {@link
   * #textOnly}), or {@link #ENTANGLED} for anything else, which the walk decides.
   */
  private static long meeting(List<PatchOp> thisOps, List<PatchOp> otherOps) {
    if ((long) thisOps.size() * otherOps.size() > MAX_PRECHECK_PAIRS) {
      return ENTANGLED;
    }
    // Indexed loops: this runs for every pair of changes a commit meets, and the iterators of
    // for-each loops over these lists were a sixth of the server's allocation under commit load.
    int others = otherOps.size();
    for (int j = 0; j < others; j++) {
      PatchOp other = otherOps.get(j);
      if (other.path().equals(other.from())) {
        return ENTANGLED; // every walk drops a move or copy onto its own source (OpWalk)
      }
    }
    long found = INDEPENDENT;
    for (int i = 0, mineCount = thisOps.size(); i < mineCount; i++) {
      PatchOp mine = thisOps.get(i);
      for (int j = 0; j < others; j++) {
        PatchOp other = otherOps.get(j);
        if (!related(mine.path(), other) && (mine.from() == null || !related(mine.from(), other))) {
          continue;
        }
        boolean sameText =
            mine.type() == OpType.TXT
                && other.type() == OpType.TXT
                && mine.from() == null
                && other.from() == null
                && mine.path().equals(other.path());
        if (!sameText || found != INDEPENDENT) {
          return ENTANGLED; // a second meeting, or one that is not two edits of one text
        }
        found = ((long) i << 32) | j;
      }
    }
    return found;
  }

  private static boolean related(String path, PatchOp other) {
    return related(path, other.path()) || (other.from() != null && related(path, other.from()));
  }

  private static boolean related(String a, String b) {
    return Paths.isAtOrUnder(a, b)
        || Paths.isUnder(b, a)
        || (isElement(a) && Paths.isUnder(b, Paths.parent(a)))
        || (isElement(b) && Paths.isUnder(a, Paths.parent(b)));
  }

  /**
   * Whether {@code path} may address an array element: an index as the walk reads one, or {@code
   * -}.
   */
  private static boolean isElement(String path) {
    return TransformState.endsWithIndex(path) || path.endsWith("/-");
  }

  /** Returns {@code ops} transformed to apply after {@code thisOp}. */
  private static List<PatchOp> transformPast(
      TransformState state, PatchOp thisOp, List<PatchOp> ops) {
    String path = thisOp.path();
    switch (thisOp.type()) {
      case ADD:
        return transformPastAdd(state, thisOp, ops);
      case COPY:
        return transformPastCopy(state, thisOp, ops);
      case REMOVE:
        return RemovedPaths.transformRemove(state, path, ops, true);
      case REPLACE:
        return RemovedPaths.update(state, path, ops, thisOp);
      case MOVE:
        return MoveTransform.transform(state, thisOp, ops);
      case INC:
      case BIT:
      case MAX:
      case MIN:
        // In-place numeric updates commute with other ops at the same path (which survive, even a
        // remove or a move away); only ops under the path lose their target.
        return RemovedPaths.updateInPlace(state, path, ops, null, null);
      case TXT:
        return transformPastText(state, thisOp, ops);
      case TEST:
      case UNKNOWN:
      default:
        // A test changes nothing; an op we do not know cannot be transformed past.
        return ops;
    }
  }

  private static List<PatchOp> transformPastAdd(
      TransformState state, PatchOp thisOp, List<PatchOp> ops) {
    String path = thisOp.path();
    JsonNode value = thisOp.value();
    if (state.isArrayPath(path)) {
      return ArrayIndexes.shift(state, path, ops, 1, false);
    }
    if (value != null && SoftWrites.isEmptyContainer(value)) {
      return SoftWrites.update(path, ops, value);
    }
    return RemovedPaths.update(state, path, ops, thisOp);
  }

  private static List<PatchOp> transformPastCopy(
      TransformState state, PatchOp thisOp, List<PatchOp> ops) {
    String path = thisOp.path();
    // The reference at the pinned version (0.28.1) has no mirror-kill rule for a queued copy whose
    // source a committed op clobbered (a later upstream fix, DAB-1236, adds one): adding it on one
    // side only would make Java and JavaScript peers walk different diamonds.
    if (state.isArrayPath(path)) {
      return ArrayIndexes.shift(state, path, ops, 1, false);
    }
    return RemovedPaths.update(state, path, ops, thisOp);
  }

  /**
   * {@code @txt} against other ops: an other {@code @txt} at the same path is rebased with the
   * Delta transform (this one has priority, it came first); ops under the path are dropped, since a
   * text value has no children; other ops at the path are kept.
   */
  private static List<PatchOp> transformPastText(
      TransformState state, PatchOp thisOp, List<PatchOp> ops) {
    return RemovedPaths.updateInPlace(
        state, thisOp.path(), ops, thisOp.op(), new TextRebase(thisOp));
  }

  /**
   * Rebases the other patch's {@code @txt} ops at the same path. The delta of this op is advanced
   * past each one it meets, because the other patch's text ops apply one after another.
   */
  private static final class TextRebase implements RemovedPaths.SamePathMerge {
    private final String path;
    private final DeltaCache deltas = DELTAS.get();
    private @Nullable Delta thisDelta;
    // The other Delta this one still has to be advanced past: done only if another text op at
    // the path follows (rare), not after every merge.
    private @Nullable Delta passed;

    TextRebase(PatchOp thisOp) {
      this.path = thisOp.path();
      JsonNode ops = deltaOps(thisOp.value());
      this.thisDelta = ops == null ? null : deltas.parse(ops);
    }

    @Override
    public @Nullable PatchOp merge(PatchOp other) {
      if (!other.path().equals(path)) {
        return null;
      }
      JsonNode otherOps = deltaOps(other.value());
      Delta mine = thisDelta;
      if (mine == null || otherOps == null) {
        // Not a delta: the plain rules decide.
        return null;
      }
      if (passed != null) {
        mine = passed.transform(mine, false);
        thisDelta = mine;
        passed = null;
      }
      Delta otherDelta = deltas.parse(otherOps);
      Delta transformed = mine.transform(otherDelta, true);
      passed = otherDelta;
      return withDelta(other, transformed, deltas);
    }
  }

  private static final ThreadLocal<DeltaCache> DELTAS = ThreadLocal.withInitial(DeltaCache::new);

  /**
   * The Deltas last parsed or produced on this thread, by the identity of their JSON. A server
   * walks each incoming text op past every concurrent change, and each committed change past every
   * later incoming one: without this, each step re-read both Deltas from JSON, which was a third of
   * the text transform's time. Values are never mutated, so a hit is the Delta the JSON says.
   * Direct-mapped by identity hash, so a lookup is one probe however many Deltas a walk meets (a
   * 32-entry ring missed on every lookup once a commit met more than 32 of them, as 32 clients
   * editing one text do). Small and bounded: {@link #SIZE} entries of at most {@link #MAX_OPS} ops.
   */
  private static final class DeltaCache {
    private static final int SIZE = 256; // a power of two
    private static final int MAX_OPS = 16;
    private final JsonNode[] keys = new JsonNode[SIZE];
    private final Delta[] values = new Delta[SIZE];

    Delta parse(JsonNode ops) {
      int slot = System.identityHashCode(ops) & (SIZE - 1);
      if (keys[slot] == ops) {
        return values[slot];
      }
      Delta delta = Delta.fromJson(ops);
      put(ops, delta);
      return delta;
    }

    void put(JsonNode ops, Delta delta) {
      if (ops.size() > MAX_OPS) {
        return;
      }
      int slot = System.identityHashCode(ops) & (SIZE - 1);
      keys[slot] = ops;
      values[slot] = delta;
    }
  }

  /** Returns the Delta ops of a {@code @txt} value (an ops array or {@code {"ops": […]}}). */
  private static @Nullable JsonNode deltaOps(@Nullable JsonNode value) {
    if (value == null) {
      return null;
    }
    if (value.isArray()) {
      return value;
    }
    if (value.isObject()) {
      JsonNode ops = value.get("ops");
      if (ops != null && ops.isArray()) {
        return ops;
      }
    }
    return null;
  }
}
