package dev.patchbay.core.patch;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchApplier.Kind;
import dev.patchbay.core.patch.PatchApplier.Mutation;
import dev.patchbay.core.text.TextOps;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Computes the patch that undoes a patch ({@link JsonPatch#invert}).
 *
 * <p>The patch is applied op by op with the engine logging every primitive change it makes (member
 * set, element inserted, member removed) at concrete paths, so each op is inverted against the
 * document as it was just before that op, not against the original: a later op that depends on an
 * earlier one inverts correctly. The undo is the reverse of that log, with two refinements that
 * keep the inverse meaningful under OT: a {@code move} inverts to a move back, and an {@code @txt}
 * edit inverts to the inverse Delta when that restores the text exactly.
 */
final class PatchInverter {
  private PatchInverter() {}

  static List<PatchOp> invert(@Nullable JsonNode docBefore, List<PatchOp> ops) {
    PatchApplier engine = new PatchApplier(docBefore, false, false);
    engine.record();
    List<List<PatchOp>> undo = new ArrayList<>(ops.size());
    for (PatchOp op : ops) {
      if (op.type() == OpType.UNKNOWN) {
        throw new PatchbayException(400, "Unknown patch operation, cannot invert: " + op.op());
      }
      if (engine.skipsSoftWrite(op)) {
        continue;
      }
      String error = engine.applyOp(op);
      List<Mutation> changes = engine.takeMutations();
      if (error != null && op.type() == OpType.TEST) {
        // A failed test aborts the whole patch, so there is nothing to undo.
        return List.of();
      }
      if (!changes.isEmpty()) {
        undo.add(undoOf(op, changes));
      }
    }
    List<PatchOp> inverse = new ArrayList<>();
    for (int i = undo.size() - 1; i >= 0; i--) {
      inverse.addAll(undo.get(i));
    }
    return List.copyOf(inverse);
  }

  private static List<PatchOp> undoOf(PatchOp op, List<Mutation> changes) {
    if (op.type() == OpType.MOVE) {
      List<PatchOp> moveBack = moveBack(changes);
      if (moveBack != null) {
        return moveBack;
      }
    }
    if (op.type() == OpType.TXT && changes.size() == 1) {
      PatchOp textUndo = textUndo(op, changes.get(0));
      if (textUndo != null) {
        return List.of(textUndo);
      }
    }
    List<PatchOp> out = new ArrayList<>(changes.size());
    for (int i = changes.size() - 1; i >= 0; i--) {
      Mutation m = changes.get(i);
      JsonNode old = m.oldValue();
      switch (m.kind()) {
        case SET:
          out.add(old == null ? PatchOp.remove(m.path()) : PatchOp.replace(m.path(), old));
          break;
        case INSERT:
          out.add(PatchOp.remove(m.path()));
          break;
        case DELETE:
          out.add(PatchOp.add(m.path(), old == null ? Json.NODES.nullNode() : old));
          break;
        default:
          throw new IllegalStateException(m.kind().name());
      }
    }
    return out;
  }

  /**
   * A move that took one value out of one place and put it into another inverts to the move back,
   * followed by restoring what the destination held before, if anything.
   */
  private static @Nullable List<PatchOp> moveBack(List<Mutation> changes) {
    if (changes.size() != 2) {
      return null;
    }
    Mutation out = changes.get(0);
    Mutation in = changes.get(1);
    if (out.kind() != Kind.DELETE
        || in.kind() == Kind.DELETE
        || in.newValue() != out.oldValue()
        || Paths.isAtOrUnder(in.path(), out.path())
        || Paths.isUnder(out.path(), in.path())) {
      return null;
    }
    PatchOp back = PatchOp.move(in.path(), out.path());
    JsonNode overwritten = in.oldValue();
    return in.kind() == Kind.SET && overwritten != null
        ? List.of(back, PatchOp.add(in.path(), overwritten))
        : List.of(back);
  }

  /**
   * An {@code @txt} edit of existing text inverts to the inverse Delta, provided applying it
   * restores the stored value exactly (the overrun rules can make the edit lossy, and a legacy bare
   * ops array comes back as an object); otherwise the generic replace is used.
   */
  private static @Nullable PatchOp textUndo(PatchOp op, Mutation change) {
    JsonNode before = change.oldValue();
    JsonNode after = change.newValue();
    JsonNode edit = op.value();
    if (change.kind() != Kind.SET || after == null || before == null || edit == null) {
      return null;
    }
    try {
      JsonNode undoOps = TextOps.invert(edit, before);
      if (Json.equal(TextOps.apply(after, undoOps, false), before)) {
        return PatchOp.of(OpType.TXT.wireName(), change.path(), undoOps);
      }
    } catch (RuntimeException e) {
      // Not a Delta this version can invert: the generic replace still restores the value.
    }
    return null;
  }
}
