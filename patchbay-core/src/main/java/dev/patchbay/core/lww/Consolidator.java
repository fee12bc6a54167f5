package dev.patchbay.core.lww;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import dev.patchbay.core.text.Delta;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Merges incoming ops into a set of last-write-wins rows (path to op). One instance consolidates
 * one batch; the incoming ops are taken in order, each seeing the ones before it, so a batch that
 * touches a path twice or writes a parent and then its child ends as one consistent set of rows.
 */
final class Consolidator {
  private final Map<String, PatchOp> working;
  private final Set<String> stored;
  private final Map<String, PatchOp> toSave = new LinkedHashMap<>();
  private final Set<String> toDelete = new LinkedHashSet<>();
  private final Map<String, PatchOp> corrections = new LinkedHashMap<>();

  /** The {@code ts} of a parent row a server stores because a write below it created it. */
  static final long IMPLICIT_PARENT_TS = 0;

  private final boolean createParents;

  private Consolidator(Collection<PatchOp> existingOps, boolean createParents) {
    this.createParents = createParents;
    working = new LinkedHashMap<>(Math.max(16, existingOps.size() * 2));
    for (PatchOp op : existingOps) {
      working.put(op.path(), op);
    }
    stored = new HashSet<>(working.keySet());
  }

  static Consolidation consolidate(
      Collection<PatchOp> existingOps, List<PatchOp> newOps, boolean createParents) {
    Consolidator c = new Consolidator(existingOps, createParents);
    for (PatchOp op : newOps) {
      c.add(op);
    }
    return new Consolidation(
        new ArrayList<>(c.toSave.values()),
        new ArrayList<>(c.toDelete),
        new ArrayList<>(c.corrections.values()));
  }

  private void add(PatchOp incoming) {
    if (incoming.type() == OpType.TEST) {
      // A test writes nothing; stored as a row it would turn into a replace without a value.
      return;
    }
    String path = incoming.path();
    PatchOp primitiveParent = primitiveAncestor(path);
    if (primitiveParent != null) {
      corrections.putIfAbsent(primitiveParent.path(), primitiveParent);
      return;
    }
    PatchOp winner = decide(incoming);
    if (winner == null) {
      return;
    }
    if (!isRemoved(winner)) {
      // Only a value written below them brings removed or missing parents back; a removal below a
      // removed parent leaves the parent's removal row standing (a client catching up from before
      // it must still learn of it).
      restoreParents(path);
    }
    save(winner);
  }

  // The op to save at the incoming op's path, or null when nothing is saved there.
  private @Nullable PatchOp decide(PatchOp incoming) {
    String path = incoming.path();
    PatchOp existing = working.get(path);
    if (existing != null) {
      PatchOp winner = consolidateFieldOp(existing, incoming);
      if (winner == null) {
        corrections.putIfAbsent(path, existing);
      }
      return winner;
    }
    if (isSoft(incoming) && dataExistsAt(path)) {
      return null;
    }
    return incoming;
  }

  /**
   * Makes every parent of a value written at {@code path} an object row where the rows would
   * otherwise not hold one, top down. Applying rows one commit after another (a client catching up)
   * must give the state that applying all of them at once gives (a fresh load); a parent that only
   * a write below it creates breaks that as soon as that write is gone.
   *
   * <ul>
   *   <li>A removed parent becomes an empty object with the removal's {@code ts} (the Patches
   *       server deletes its row instead, and a client that had the parent's old children never
   *       learns that they are gone).
   *   <li>With {@code createParents} (a server committing), a parent that the rows do not hold as a
   *       container at all gets an empty object row with {@code ts} 0, which any stamped write to
   *       that parent beats, as it beats no row; without it, removing the child later leaves the
   *       parent as {@code {}} on a client that applied the child and removes it on a fresh load.
   * </ul>
   */
  private void restoreParents(String path) {
    List<String> parents = new ArrayList<>();
    for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
      if (!parent.isEmpty()) {
        parents.add(0, parent);
      }
    }
    for (String parent : parents) {
      PatchOp row = working.get(parent);
      if (row != null && isRemoved(row)) {
        save(new PatchOp("replace", parent, null, Json.object(), false, row.ts(), null));
      } else if (createParents && !containerAt(parent)) {
        save(new PatchOp("replace", parent, null, Json.object(), false, IMPLICIT_PARENT_TS, null));
      }
    }
  }

  // Whether the rows hold a container at path: a row there, a value written below it (rows stored
  // before parents were made explicit), or the value of the nearest row above it.
  private boolean containerAt(String path) {
    PatchOp row = working.get(path);
    if (row != null) {
      return !isRemoved(row) && isContainer(row.value());
    }
    for (Map.Entry<String, PatchOp> e : working.entrySet()) {
      if (Paths.isUnder(e.getKey(), path) && !isRemoved(e.getValue())) {
        return true;
      }
    }
    for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
      PatchOp op = working.get(parent);
      if (op != null) {
        if (isRemoved(op) || !isContainer(op.value())) {
          return false;
        }
        JsonNode inside = valueAt(op.value(), path, parent);
        // A primitive there does not hold the parent: a write through a falsy one replaces it
        // with a new object (as JavaScript does) and fails through a truthy one; the empty-object
        // row makes a fresh load and a client that applies row by row agree on either.
        return inside != null && isContainer(inside);
      }
    }
    return false;
  }

  private void save(PatchOp op) {
    String path = op.path();
    // Writing a parent replaces everything below it.
    List<String> children = new ArrayList<>();
    for (String p : working.keySet()) {
      if (Paths.isUnder(p, path)) {
        children.add(p);
      }
    }
    for (String child : children) {
      delete(child);
    }
    working.put(path, op);
    toSave.remove(path);
    toSave.put(path, op);
    toDelete.remove(path);
  }

  private void delete(String path) {
    working.remove(path);
    toSave.remove(path);
    if (stored.contains(path)) {
      toDelete.add(path);
    }
  }

  // The nearest ancestor holding a primitive, which makes a write below it impossible.
  private @Nullable PatchOp primitiveAncestor(String path) {
    for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
      PatchOp op = working.get(parent);
      if (op != null && !isRemoved(op) && !isContainer(op.value())) {
        return op;
      }
    }
    return null;
  }

  // Whether a soft write at path would find data there: a row below it, or a key inside the value
  // a row above it holds.
  private boolean dataExistsAt(String path) {
    for (String p : working.keySet()) {
      if (Paths.isUnder(p, path)) {
        return true;
      }
    }
    for (String parent = parentOf(path); parent != null; parent = parentOf(parent)) {
      PatchOp op = working.get(parent);
      if (op != null && isContainer(op.value()) && contains(op.value(), path, parent)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(JsonNode value, String path, String parent) {
    return valueAt(value, path, parent) != null;
  }

  private static @Nullable JsonNode valueAt(JsonNode value, String path, String parent) {
    JsonNode current = value;
    for (String key : Paths.split(path.substring(parent.length()))) {
      JsonNode next;
      if (current.isObject()) {
        next = current.get(key);
      } else if (current.isArray() && Paths.isIndex(key)) {
        next = current.get(Integer.parseInt(key));
      } else {
        return null;
      }
      if (next == null) {
        return null;
      }
      current = next;
    }
    return current;
  }

  /** The rules for two ops on the same path; {@code null} when the existing op stands. */
  static @Nullable PatchOp consolidateFieldOp(PatchOp existing, PatchOp incoming) {
    OpType type = incoming.type();
    if (type == OpType.TXT
        && existing.type() == OpType.TXT
        && existing.value() != null
        && incoming.value() != null) {
      JsonNode composed =
          Delta.fromJson(existing.value()).compose(Delta.fromJson(incoming.value())).toJson();
      return incoming.withValue(composed).withTs(newest(existing.ts(), incoming.ts()));
    }
    if (DeltaOps.isDelta(type)) {
      return combine(existing, incoming, type);
    }
    if (isSoft(incoming)) {
      // A soft write only initialises a field that holds nothing.
      return isRemoved(existing) ? incoming : null;
    }
    return isExistingNewer(existing.ts(), incoming.ts()) ? null : incoming;
  }

  // Delta ops always combine, whatever the timestamps: each one is an intent that must count.
  private static @Nullable PatchOp combine(PatchOp existing, PatchOp incoming, OpType type) {
    JsonNode base = DeltaOps.baseOf(existing);
    String op;
    JsonNode value;
    if (base == null && existing.type() != type) {
      op = existing.type() == OpType.REMOVE ? "replace" : existing.op();
      value = DeltaOps.apply(type, null, incoming.value());
    } else if (existing.type() == type) {
      op = incoming.op();
      value = DeltaOps.combine(type, existing.value(), incoming.value());
    } else {
      op = existing.op();
      value = DeltaOps.apply(type, base, incoming.value());
    }
    if (existing.type() != OpType.REMOVE && sameValue(value, existing.value())) {
      return null;
    }
    return incoming.withOp(op).withValue(value).withTs(newest(existing.ts(), incoming.ts()));
  }

  private static boolean sameValue(JsonNode value, @Nullable JsonNode existing) {
    return existing != null && Json.equal(value, existing);
  }

  // A missing incoming timestamp wins; a missing existing one counts as newer than any stamped
  // incoming op; otherwise the later write wins and a tie goes to the incoming op.
  private static boolean isExistingNewer(@Nullable Long existingTs, @Nullable Long incomingTs) {
    if (incomingTs == null) {
      return false;
    }
    if (existingTs == null) {
      return true;
    }
    return existingTs > incomingTs;
  }

  private static @Nullable Long newest(@Nullable Long a, @Nullable Long b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return Math.max(a, b);
  }

  /** A soft op (or, by convention, an {@code add} of an empty container) never overwrites. */
  static boolean isSoft(PatchOp op) {
    if (op.soft()) {
      return true;
    }
    JsonNode value = op.value();
    return op.type() == OpType.ADD && isContainer(value) && value.isEmpty();
  }

  // A removed field, or a row without a value; a JSON null is a value (a primitive).
  private static boolean isRemoved(PatchOp op) {
    return op.type() == OpType.REMOVE || op.value() == null;
  }

  private static boolean isContainer(@Nullable JsonNode value) {
    return value != null && (value.isObject() || value.isArray());
  }

  private static @Nullable String parentOf(String path) {
    if (path.isEmpty()) {
      return null;
    }
    return Paths.parent(path);
  }
}
