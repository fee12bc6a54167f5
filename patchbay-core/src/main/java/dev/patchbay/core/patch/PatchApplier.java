package dev.patchbay.core.patch;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.text.TextOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The apply engine behind {@link JsonPatch#apply}: one instance applies one patch to one document.
 *
 * <p>The document sits in a holder object under the key {@code ""}, so a pointer's keys ({@code
 * "/a/b"} splits into {@code ["", "a", "b"]}) walk from the holder and the root is just another
 * member. Writes are copy-on-write: a container on the path being changed is shallow-copied the
 * first time this apply touches it, and the copy is then owned and mutated in place by later ops;
 * everything off the changed paths stays shared with the input, which is never mutated.
 *
 * <p>In Patches mode every op follows the JavaScript reference step for step (truthiness decides
 * whether a parent exists, missing parents are created, {@code -} in the middle of a path means the
 * last element), because client and server must compute byte-identical documents. RFC 6902 mode
 * resolves pointers strictly instead. When recording is on, every change is logged as a {@link
 * Mutation} so {@link PatchInverter} can undo it.
 */
final class PatchApplier {
  /** What one primitive change did at a concrete pointer. */
  enum Kind {
    /** A member or element was set; {@code oldValue} is what was there ({@code null}: nothing). */
    SET,
    /** An array element was inserted at {@code path}. */
    INSERT,
    /** A member or element was removed; {@code oldValue} is what was removed. */
    DELETE
  }

  /** One logged change: its kind, the concrete pointer, and the values before and after. */
  record Mutation(
      Kind kind, String path, @Nullable JsonNode oldValue, @Nullable JsonNode newValue) {}

  // A write through a missing index pads the array with nulls as JavaScript would; past this many
  // the op fails instead, so one op cannot make the server allocate an arbitrarily large array.
  private static final int MAX_ARRAY_PADDING = 10_000;
  private static final String ROOT = "";
  private static final JsonNode ZERO = Json.NODES.numberNode(0);

  private final ObjectNode holder;
  private final Set<JsonNode> owned = identitySet();
  private final boolean rfc;
  private final boolean legacyTextPadding;

  private @Nullable List<Mutation> mutations;
  private final Set<JsonNode> fresh = identitySet();

  // The write walk's position: whether it is at the holder, and the concrete pointer of the
  // container it is at (null when changes there are not part of the document).
  private boolean atHolder;
  private @Nullable String atPath;

  PatchApplier(@Nullable JsonNode doc, boolean rfc, boolean legacyTextPadding) {
    this.holder = new ObjectNode(Json.NODES, new LinkedHashMap<>());
    if (doc != null && !doc.isMissingNode()) {
      holder.set(ROOT, doc);
    }
    owned.add(holder);
    this.rfc = rfc;
    this.legacyTextPadding = legacyTextPadding;
  }

  /** Applies {@code ops} as {@link JsonPatch#apply} documents. */
  static @Nullable JsonNode apply(@Nullable JsonNode doc, List<PatchOp> ops, ApplyOptions options) {
    if (ops.isEmpty()) {
      return doc;
    }
    PatchApplier engine =
        new PatchApplier(doc, options.rfcStrict(), options.legacyTextOverrunPadding());
    for (int i = 0, n = ops.size(); i < n; i++) {
      PatchOp op = ops.get(i);
      if (!options.rfcStrict() && engine.skipsSoftWrite(op)) {
        continue;
      }
      String error = engine.applyOp(op);
      if (error == null) {
        continue;
      }
      if (options.strict()) {
        throw new PatchApplyException(error, i, op);
      }
      if (options.rigid() || options.rfcStrict() || op.type() == OpType.TEST) {
        JsonNode result = options.partial() ? engine.document() : doc;
        // Patches falls back to the working document when the answer would be falsy.
        return Js.truthy(result) ? result : engine.document();
      }
    }
    return engine.document();
  }

  /** Returns the document as patched so far ({@code null} when the root was removed). */
  @Nullable JsonNode document() {
    return holder.get(ROOT);
  }

  /** Starts logging every change (and keeps logging until the engine is dropped). */
  void record() {
    mutations = new ArrayList<>();
  }

  /** Returns the changes logged since the last call, and starts a new op. */
  List<Mutation> takeMutations() {
    List<Mutation> taken = mutations == null ? List.of() : List.copyOf(mutations);
    if (mutations != null) {
      mutations.clear();
    }
    fresh.clear();
    return taken;
  }

  /**
   * Applies one op and returns {@code null}, or the reason it failed. A failed op may leave part of
   * its work done (a {@code move} whose destination fails has already removed its source), exactly
   * as in Patches.
   */
  @Nullable String applyOp(PatchOp op) {
    try {
      return rfc ? applyRfc(op) : applyPatches(op);
    } catch (Failure f) {
      return f.getMessage();
    }
  }

  // ---- soft writes ----

  /** Returns whether {@code op} is soft (explicitly, or an {@code add} of an empty container). */
  static boolean isSoft(PatchOp op) {
    if (op.soft()) {
      return true;
    }
    JsonNode value = op.value();
    return op.type() == OpType.ADD && value != null && value.isContainer() && value.isEmpty();
  }

  /**
   * Returns whether a soft {@code op} must be skipped because its target already exists. For an
   * array that means an occupied index, so even an insert is skipped there (the rule of the
   * recorded Patches release; later releases treat array inserts differently).
   */
  boolean skipsSoftWrite(PatchOp op) {
    if (!isSoft(op)) {
      return false;
    }
    String path = op.path();
    if (path.isEmpty()) {
      return holder.has(ROOT);
    }
    String[] keys = keys(path);
    JsonNode parent = document();
    for (int i = 1; i < keys.length - 1; i++) {
      if (parent == null || !parent.isContainer() || !Js.has(parent, keys[i])) {
        return false;
      }
      parent = Js.get(parent, keys[i]);
    }
    if (parent == null || !parent.isContainer()) {
      return false;
    }
    String last = keys[keys.length - 1];
    return Js.has(parent, last);
  }

  // ---- Patches ops ----

  private @Nullable String applyPatches(PatchOp op) {
    String path = op.path();
    // Patches hands every handler `from || value`.
    String from = op.from();
    JsonNode arg = from != null && !from.isEmpty() ? Json.NODES.stringNode(from) : op.value();
    switch (op.type()) {
      case ADD:
        return add(path, arg);
      case REMOVE:
        return remove(path);
      case REPLACE:
        return replace(path, arg);
      case MOVE:
        return move(path, fromPath(arg));
      case COPY:
        return copy(path, fromPath(arg));
      case TEST:
        return test(path, arg);
      case INC:
        return replace(path, Js.plus(Js.or(get(path), ZERO), arg));
      case BIT:
        return replace(path, Json.NODES.numberNode(applyBitmask(Js.or(get(path), ZERO), arg)));
      case MAX:
        {
          JsonNode current = get(path);
          boolean set = current == null || current.isNull() || Js.greater(arg, current);
          return set ? replace(path, arg) : null;
        }
      case MIN:
        {
          JsonNode current = get(path);
          boolean set = current == null || current.isNull() || Js.less(arg, current);
          return set ? replace(path, arg) : null;
        }
      case TXT:
        return text(path, arg);
      default:
        return "[op:" + op.op() + "] unknown";
    }
  }

  /** The {@code @bit} rule: the low 15 bits of the mask turn bits on, the high 15 turn them off. */
  static int applyBitmask(@Nullable JsonNode number, @Nullable JsonNode mask) {
    int m = Js.toInt32(Js.or(mask, ZERO));
    int off = (m >> 15) & 0x7fff;
    int on = m & 0x7fff;
    return (Js.toInt32(number) & ~off) | on;
  }

  private static @Nullable String fromPath(@Nullable JsonNode arg) {
    return arg != null && arg.isString() ? arg.stringValue() : null;
  }

  private @Nullable String add(String path, @Nullable JsonNode value) {
    if (value == null) {
      return "[op:add] require value, but got undefined";
    }
    String[] keys = keys(path);
    String last = keys[keys.length - 1];
    JsonNode target = readParent(keys);
    if (target != null && target.isArray()) {
      long index = Js.toArrayIndex(target.size(), last);
      if (index < 0 || index > target.size()) {
        return "[op:add] invalid array index: " + path;
      }
      insertAt(array(writeParent(keys, true, true)), (int) index, value);
      return null;
    }
    JsonNode current = target == null ? null : Js.get(target, last);
    if (!Json.equal(current, value)) {
      JsonNode container = writeParent(keys, true, true);
      if (container.isArray() && "-".equals(last)) {
        insertAt((ArrayNode) container, container.size(), value);
      } else {
        setMember(container, last, value);
      }
    }
    return null;
  }

  private @Nullable String remove(String path) {
    String[] keys = keys(path);
    String last = keys[keys.length - 1];
    JsonNode target = readParent(keys);
    if (target == null) {
      return null;
    }
    if (target.isArray()) {
      int size = target.size();
      long index = Js.toArrayIndex(size, last);
      if (size <= index) {
        return "[op:remove] invalid array index: " + path;
      }
      ArrayNode container = array(writeParent(keys, false, false));
      // A key that is not a number reads as -1, and splice(-1, 1) takes the last element.
      int at = index < 0 ? size - 1 : (int) index;
      if (at >= 0) {
        removeAt(container, at);
      }
      return null;
    }
    deleteMember(writeParent(keys, false, false), last);
    return null;
  }

  private @Nullable String replace(String path, @Nullable JsonNode value) {
    if (value == null) {
      return "[op:replace] require value, but got undefined";
    }
    String[] keys = keys(path);
    String last = keys[keys.length - 1];
    JsonNode target = readParent(keys);
    if (target != null && target.isArray()) {
      long index = Js.toArrayIndex(target.size(), last);
      if (index < 0 || target.size() <= index) {
        return "[op:replace] invalid array index: " + path;
      }
      if (!Json.equal(target.get((int) index), value)) {
        setIndex(array(writeParent(keys, true, false)), index, value);
      }
      return null;
    }
    JsonNode current = target == null ? null : Js.get(target, last);
    if (!Json.equal(current, value)) {
      setMember(writeParent(keys, true, false), last, value);
    }
    return null;
  }

  private @Nullable String copy(String path, @Nullable String from) {
    if (from == null) {
      return "[op:copy] missing from";
    }
    String[] fromKeys = keys(from);
    JsonNode target = readParent(fromKeys);
    if (target == null) {
      return "[op:copy] path not found: " + from;
    }
    JsonNode value = Js.get(target, fromKeys[fromKeys.length - 1]);
    // The value now sits in two places, so neither may be written in place any more.
    disown(value);
    return add(path, value);
  }

  private @Nullable String move(String path, @Nullable String from) {
    if (from == null) {
      return "[op:move] missing from";
    }
    if (path.equals(from)) {
      return null;
    }
    String[] fromKeys = keys(from);
    String last = fromKeys[fromKeys.length - 1];
    JsonNode target = readParent(fromKeys);
    if (target == null) {
      return "[op:move] path not found: " + from;
    }
    JsonNode value;
    if (target.isArray()) {
      long index = Js.toArrayIndex(target.size(), last);
      if (index < 0 || target.size() <= index) {
        return "[op:move] invalid array index: " + path;
      }
      value = target.get((int) index);
      removeAt(array(writeParent(fromKeys, true, false)), (int) index);
    } else {
      value = Js.get(target, last);
      deleteMember(writeParent(fromKeys, true, false), last);
    }
    return add(path, value);
  }

  private @Nullable String test(String path, @Nullable JsonNode expected) {
    String[] keys = keys(path);
    JsonNode target = readParent(keys);
    if (target == null) {
      return "[op:test] path not found: " + path;
    }
    JsonNode current = Js.get(target, keys[keys.length - 1]);
    if (!Json.equal(current, expected)) {
      return "[op:test] not matched: " + Js.stringify(current) + " " + Js.stringify(expected);
    }
    return null;
  }

  private @Nullable String text(String path, @Nullable JsonNode delta) {
    if (delta == null || TextOps.opsOf(delta) == null) {
      return "Invalid delta";
    }
    JsonNode updated;
    try {
      updated = TextOps.apply(get(path), delta, legacyTextPadding);
    } catch (PatchbayException e) {
      return e.getMessage();
    }
    return replace(path, updated);
  }

  /** Reads the value at {@code path} the way Patches does ({@code null} for undefined). */
  private @Nullable JsonNode get(String path) {
    String[] keys = keys(path);
    JsonNode target = readParent(keys);
    return target == null ? null : Js.get(target, keys[keys.length - 1]);
  }

  // ---- RFC 6902 ops ----

  private @Nullable String applyRfc(PatchOp op) {
    String path = op.path();
    JsonNode value = op.value();
    String from = op.from();
    switch (op.type()) {
      case ADD:
        return value == null ? "missing 'value' parameter" : rfcAdd(path, value);
      case REMOVE:
        return rfcRemove(path);
      case REPLACE:
        return value == null ? "missing 'value' parameter" : rfcReplace(path, value);
      case MOVE:
        return from == null ? "missing 'from' parameter" : rfcMove(path, from);
      case COPY:
        return from == null ? "missing 'from' parameter" : rfcCopy(path, from);
      case TEST:
        return value == null ? "missing 'value' parameter" : rfcTest(path, value);
      default:
        return "Unrecognized op '" + op.op() + "'";
    }
  }

  private @Nullable String rfcAdd(String path, JsonNode value) {
    String[] keys = rfcKeys(path);
    if (keys.length == 1) {
      setMember(writeParent(keys, false, false), ROOT, value);
      return null;
    }
    JsonNode parent = rfcParent(keys, path);
    String last = keys[keys.length - 1];
    if (parent.isObject()) {
      setMember(writeParent(keys, false, false), last, value);
    } else if (parent.isArray()) {
      long index = "-".equals(last) ? parent.size() : Js.arrayIndex(last);
      if (index < 0 || index > parent.size()) {
        return "invalid array index: " + path;
      }
      insertAt(array(writeParent(keys, false, false)), (int) index, value);
    } else {
      return "parent is not a container: " + path;
    }
    return null;
  }

  private @Nullable String rfcRemove(String path) {
    String[] keys = rfcKeys(path);
    if (keys.length == 1) {
      return "cannot remove the document root";
    }
    JsonNode parent = rfcParent(keys, path);
    String last = keys[keys.length - 1];
    if (rfcChild(parent, last) == null) {
      return "path not found: " + path;
    }
    JsonNode container = writeParent(keys, false, false);
    if (container.isArray()) {
      removeAt((ArrayNode) container, (int) Js.arrayIndex(last));
    } else {
      deleteMember(container, last);
    }
    return null;
  }

  private @Nullable String rfcReplace(String path, JsonNode value) {
    String[] keys = rfcKeys(path);
    if (keys.length == 1) {
      if (!holder.has(ROOT)) {
        return "path not found: " + path;
      }
      setMember(writeParent(keys, false, false), ROOT, value);
      return null;
    }
    JsonNode parent = rfcParent(keys, path);
    String last = keys[keys.length - 1];
    if (rfcChild(parent, last) == null) {
      return "path not found: " + path;
    }
    JsonNode container = writeParent(keys, false, false);
    if (container.isArray()) {
      setIndex((ArrayNode) container, Js.arrayIndex(last), value);
    } else {
      setMember(container, last, value);
    }
    return null;
  }

  private @Nullable String rfcMove(String path, String from) {
    JsonNode value = rfcGet(from);
    rfcKeys(path);
    if (value == null) {
      return "path not found: " + from;
    }
    if (path.equals(from)) {
      return null;
    }
    if (Paths.isUnder(path, from)) {
      return "cannot move a value into itself: " + from + " to " + path;
    }
    String error = rfcRemove(from);
    return error != null ? error : rfcAdd(path, value);
  }

  private @Nullable String rfcCopy(String path, String from) {
    JsonNode value = rfcGet(from);
    if (value == null) {
      return "path not found: " + from;
    }
    disown(value);
    return rfcAdd(path, value);
  }

  private @Nullable String rfcTest(String path, JsonNode expected) {
    JsonNode current = rfcGet(path);
    if (current == null) {
      return "path not found: " + path;
    }
    if (!Json.equal(current, expected)) {
      return "test failed: "
          + path
          + " is "
          + Js.stringify(current)
          + ", not "
          + Js.stringify(expected);
    }
    return null;
  }

  private @Nullable JsonNode rfcGet(String path) {
    String[] keys = rfcKeys(path);
    if (keys.length == 1) {
      return document();
    }
    return rfcChild(rfcParent(keys, path), keys[keys.length - 1]);
  }

  private static String[] rfcKeys(String path) {
    if (!path.isEmpty() && path.charAt(0) != '/') {
      throw new Failure("invalid JSON Pointer: " + path);
    }
    return keys(path);
  }

  /** The existing container that holds the last key of {@code keys}, strictly resolved. */
  private JsonNode rfcParent(String[] keys, String path) {
    JsonNode node = document();
    for (int i = 1; i < keys.length - 1 && node != null; i++) {
      node = rfcChild(node, keys[i]);
    }
    if (node == null) {
      throw new Failure("path not found: " + path);
    }
    return node;
  }

  private static @Nullable JsonNode rfcChild(JsonNode node, String key) {
    if (node.isObject()) {
      return node.get(key);
    }
    if (node.isArray()) {
      long index = Js.arrayIndex(key);
      return index >= 0 && index < node.size() ? node.get((int) index) : null;
    }
    return null;
  }

  // ---- walking and copy-on-write ----

  /** Splits a pointer into unescaped keys; the first key is {@code ""} for a valid pointer. */
  static String[] keys(String path) {
    int count = 1;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        count++;
      }
    }
    String[] keys = new String[count];
    int start = 0;
    int k = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        keys[k++] = Paths.unescape(path.substring(start, i));
        start = i + 1;
      }
    }
    return keys;
  }

  /** The value holding the last key, or null when an ancestor is missing or falsy. */
  private @Nullable JsonNode readParent(String[] keys) {
    JsonNode node = holder;
    for (int i = 0; i < keys.length - 1; i++) {
      JsonNode next = Js.get(node, keys[i]);
      if (!Js.truthy(next)) {
        return null;
      }
      node = next;
    }
    return node;
  }

  /**
   * Walks to the value holding the last key, copying every container on the way that this apply
   * does not own yet. With {@code createObjects}, a missing or falsy step is replaced by a new
   * object (an array when {@code createArrays} and the next key is {@code 0} or {@code -}).
   */
  private JsonNode writeParent(String[] keys, boolean createObjects, boolean createArrays) {
    JsonNode node = holder;
    atHolder = true;
    atPath = null;
    for (int i = 0; i < keys.length - 1; i++) {
      String key = keys[i];
      String next = keys[i + 1];
      if (!node.isContainer()) {
        throw cannotCreate(key, node);
      }
      String concreteKey = key;
      boolean attached = true;
      JsonNode child;
      if (node.isArray() && "-".equals(key)) {
        ArrayNode array = (ArrayNode) node;
        if (array.isEmpty()) {
          if (!createObjects) {
            throw cannotRead(next);
          }
          child = newContainer(createArrays, next);
          concreteKey = "0";
          insertAt(array, 0, child);
        } else {
          int lastIndex = array.size() - 1;
          concreteKey = Integer.toString(lastIndex);
          child = own(array.get(lastIndex));
          array.set(lastIndex, child);
        }
      } else {
        JsonNode current = Js.get(node, key);
        if (createObjects && !Js.truthy(current)) {
          child = newContainer(createArrays, next);
          attached = setMember(node, key, child);
        } else if (current == null) {
          throw cannotRead(next);
        } else {
          child = own(current);
          if (child != current) {
            putBack(node, key, child);
          }
        }
      }
      descend(concreteKey, attached);
      node = child;
    }
    return node;
  }

  private void descend(String key, boolean attached) {
    if (mutations == null) {
      return;
    }
    if (!attached) {
      atPath = null;
    } else if (atHolder) {
      atPath = key.isEmpty() ? ROOT : null;
    } else if (atPath != null) {
      atPath = atPath + "/" + Paths.escape(key);
    }
    atHolder = false;
  }

  private JsonNode own(JsonNode node) {
    if (!node.isContainer() || owned.contains(node)) {
      return node;
    }
    JsonNode copy =
        node.isObject() ? Json.shallowCopy((ObjectNode) node) : Json.shallowCopy((ArrayNode) node);
    owned.add(copy);
    return copy;
  }

  private void disown(@Nullable JsonNode node) {
    // Owned containers only ever hold owned or input nodes, so the walk can stop at input nodes.
    if (node != null && node.isContainer() && owned.remove(node)) {
      for (JsonNode child : node.values()) {
        disown(child);
      }
    }
  }

  private JsonNode newContainer(boolean createArrays, String nextKey) {
    JsonNode node =
        createArrays && ("0".equals(nextKey) || "-".equals(nextKey)) ? Json.array() : Json.object();
    owned.add(node);
    if (mutations != null) {
      fresh.add(node);
    }
    return node;
  }

  private static void putBack(JsonNode container, String key, JsonNode child) {
    if (container.isObject()) {
      ((ObjectNode) container).set(key, child);
    } else {
      ((ArrayNode) container).set((int) Js.arrayIndex(key), child);
    }
  }

  private ArrayNode array(JsonNode node) {
    if (!node.isArray()) {
      throw new Failure("expected an array");
    }
    return (ArrayNode) node;
  }

  // ---- the primitive changes (logged when recording) ----

  /** {@code container[key] = value}; returns false when the write lands nowhere visible. */
  private boolean setMember(JsonNode container, String key, JsonNode value) {
    if (container.isObject()) {
      JsonNode old = ((ObjectNode) container).get(key);
      ((ObjectNode) container).set(key, value);
      log(Kind.SET, container, key, old, value);
      return true;
    }
    if (container.isArray()) {
      long index = Js.arrayIndex(key);
      if (index < 0) {
        // A named property on a JavaScript array: it never reaches the JSON.
        return false;
      }
      setIndex((ArrayNode) container, index, value);
      return true;
    }
    throw cannotCreate(key, container);
  }

  private void setIndex(ArrayNode array, long index, JsonNode value) {
    int size = array.size();
    if (index < size) {
      int i = (int) index;
      JsonNode old = array.get(i);
      array.set(i, value);
      log(Kind.SET, array, Integer.toString(i), old, value);
      return;
    }
    if (index - size > MAX_ARRAY_PADDING) {
      throw new Failure("Invalid array length");
    }
    for (int i = size; i < index; i++) {
      insertAt(array, i, Json.NODES.nullNode());
    }
    insertAt(array, (int) index, value);
  }

  private void insertAt(ArrayNode array, int index, JsonNode value) {
    array.insert(index, value);
    log(Kind.INSERT, array, Integer.toString(index), null, value);
  }

  private void removeAt(ArrayNode array, int index) {
    JsonNode old = array.remove(index);
    log(Kind.DELETE, array, Integer.toString(index), old, null);
  }

  private void deleteMember(JsonNode container, String key) {
    if (container.isObject()) {
      JsonNode old = ((ObjectNode) container).remove(key);
      if (old != null) {
        log(Kind.DELETE, container, key, old, null);
      }
    } else if (container.isArray()) {
      long index = Js.arrayIndex(key);
      if (index >= 0 && index < container.size()) {
        // delete leaves a hole, which JSON writes as null
        setIndex((ArrayNode) container, index, Json.NODES.nullNode());
      }
    } else if (container.isString() && Js.get(container, key) != null) {
      throw new Failure("Cannot delete property '" + key + "' of [object String]");
    }
  }

  private void log(
      Kind kind,
      JsonNode container,
      String key,
      @Nullable JsonNode oldValue,
      @Nullable JsonNode newValue) {
    if (mutations == null || fresh.contains(container)) {
      return;
    }
    String path;
    if (atHolder) {
      path = key.isEmpty() ? ROOT : null;
    } else {
      path = atPath == null ? null : atPath + "/" + Paths.escape(key);
    }
    if (path != null) {
      mutations.add(new Mutation(kind, path, oldValue, newValue));
    }
  }

  // ---- failures ----

  private static Failure cannotCreate(String key, JsonNode primitive) {
    if (primitive.isString() && Js.get(primitive, key) != null) {
      return new Failure(
          "Cannot assign to read only property '" + key + "' of " + Js.describe(primitive));
    }
    if (primitive.isNull() || primitive.isMissingNode()) {
      return new Failure(
          "Cannot set properties of " + Js.describe(primitive) + " (setting '" + key + "')");
    }
    return new Failure("Cannot create property '" + key + "' on " + Js.describe(primitive));
  }

  private static Failure cannotRead(String key) {
    return new Failure("Cannot read properties of undefined (reading '" + key + "')");
  }

  private static Set<JsonNode> identitySet() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  /** An op failure raised from deep inside a walk; carries the message only. */
  private static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }
}
