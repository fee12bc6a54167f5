package dev.patchbay.core.patch;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What one transform run knows besides the ops: the document both patches were made on (if any) and
 * which side came first in the authoritative order. It answers the path questions every transform
 * rule asks ("is this an array index?", "which index does this segment name?").
 *
 * <p>Without a document (the stateless form the sync walk uses) a canonical integer last segment is
 * always an array index, so an object key {@code "3"} is shifted like an index: clients and server
 * must agree on that, and they have no document at hand. With a document, the index reading holds
 * only when the parent is an array or does not exist.
 *
 * <p>The document is never read beyond the parent lookups and never changes during a run: every op
 * of {@code thisOps} is judged against the same original state, as the reference does.
 */
final class TransformState {
  /** The document, or {@code null} for the stateless form (also when it is JS-falsy). */
  private final @Nullable JsonNode doc;

  /** {@code true} when {@code otherOps} precede {@code thisOps}: the later writer wins. */
  final boolean otherOpsFirst;

  TransformState(@Nullable JsonNode doc, boolean otherOpsFirst) {
    this.doc = isFalsy(doc) ? null : doc;
    this.otherOpsFirst = otherOpsFirst;
  }

  /**
   * Returns the family an op belongs to for transform purposes: every {@code @}-op updates the
   * value in place and so behaves like {@code replace}; {@link OpType#UNKNOWN} has no family.
   */
  static OpType like(PatchOp op) {
    OpType type = op.type();
    switch (type) {
      case INC:
      case BIT:
      case MAX:
      case MIN:
      case TXT:
        return OpType.REPLACE;
      default:
        return type;
    }
  }

  /** Returns whether the op puts a value at its {@code path}: add, copy or move. */
  static boolean isAdd(PatchOp op) {
    OpType like = like(op);
    return like == OpType.ADD || like == OpType.COPY || like == OpType.MOVE;
  }

  /**
   * Returns whether {@code op} unconditionally sets a whole new value at {@code path}. At an array
   * index (or an append) add, copy and move insert rather than overwrite, so only a replace-like op
   * counts there; in-place updates and soft writes never do.
   */
  boolean isHardSet(PatchOp op, String path) {
    if (op.soft() || !op.path().equals(path)) {
      return false;
    }
    OpType like = like(op);
    if (like == OpType.REPLACE) {
      return true;
    }
    if (like == OpType.ADD || like == OpType.COPY || like == OpType.MOVE) {
      return !isArrayPath(path) && !path.endsWith("/-");
    }
    return false;
  }

  /** Returns whether {@code path} addresses an array element (see the class comment). */
  boolean isArrayPath(String path) {
    if (!endsWithIndex(path)) {
      return false;
    }
    if (doc == null) {
      return true;
    }
    JsonNode parent = parentOf(path);
    return parent == null || parent.isArray();
  }

  /**
   * Returns the index of the element {@code path} addresses when its parent really is an array in
   * the document, otherwise -1 (always -1 without a document: only a document proves an array, so
   * the stateless form never takes the same-array move shortcut).
   */
  long arrayIndexInDocument(String path) {
    if (!endsWithIndex(path)) {
      return -1;
    }
    JsonNode parent = parentOf(path);
    if (parent == null || !parent.isArray()) {
      return -1;
    }
    return parseIndex(path, path.lastIndexOf('/') + 1, path.length());
  }

  /**
   * Returns the array index named by the segment of {@code path} that starts at {@code start} (just
   * after a {@code /}), or -1 when that segment is not an array index. The end of the segment is
   * {@link #segmentEnd}.
   */
  long indexAt(@Nullable String path, int start) {
    if (path == null || start == 0 || start > path.length() || path.charAt(start - 1) != '/') {
      return -1;
    }
    int end = segmentEnd(path, start);
    if (!isIndexSegment(path, start, end)) {
      return -1;
    }
    if (doc != null) {
      JsonNode parent = parentOf(path.substring(0, end));
      if (parent != null && !parent.isArray()) {
        return -1;
      }
    }
    return parseIndex(path, start, end);
  }

  /** Returns where the segment starting at {@code start} ends (the next {@code /} or the end). */
  static int segmentEnd(String path, int start) {
    int slash = path.indexOf('/', start);
    return slash < 0 ? path.length() : slash;
  }

  /** Returns whether the last segment of {@code path} is a canonical non-negative integer. */
  static boolean endsWithIndex(String path) {
    int slash = path.lastIndexOf('/');
    return slash >= 0 && isIndexSegment(path, slash + 1, path.length());
  }

  // Canonical integers of any length count, like the reference's pattern /(0|[1-9]\d*)$/.
  private static boolean isIndexSegment(String path, int start, int end) {
    if (end <= start) {
      return false;
    }
    if (path.charAt(start) == '0') {
      return end == start + 1;
    }
    for (int i = start; i < end; i++) {
      char c = path.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Parses the canonical integer segment {@code [start, end)} of {@code path}. */
  static long parseIndex(String path, int start, int end) {
    // Longer numbers than a long holds do not occur in real documents; saturate rather than throw.
    if (end - start > 18) {
      return Long.MAX_VALUE / 2;
    }
    return Long.parseLong(path, start, end, 10);
  }

  /**
   * Returns the container holding the value at {@code path}, or {@code null} when some step on the
   * way is missing or JS-falsy (the reference walks with a truthiness check, so a 0, "" or false on
   * the way counts as missing as well).
   */
  private @Nullable JsonNode parentOf(String path) {
    JsonNode node = doc;
    if (node == null) {
      return null;
    }
    int start = 1;
    int last = path.lastIndexOf('/');
    while (start <= last) {
      int end = segmentEnd(path, start);
      node = child(node, Paths.unescape(path.substring(start, end)));
      if (isFalsy(node)) {
        return null;
      }
      start = end + 1;
    }
    return node;
  }

  private static @Nullable JsonNode child(JsonNode node, String key) {
    if (node.isObject()) {
      return node.get(key);
    }
    if (node.isArray() && isIndexSegment(key, 0, key.length()) && key.length() <= 9) {
      return node.get(Integer.parseInt(key));
    }
    return null;
  }

  private static boolean isFalsy(@Nullable JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return true;
    }
    if (node.isBoolean()) {
      return !node.booleanValue();
    }
    if (node.isNumber()) {
      double d = node.doubleValue();
      return d == 0 || Double.isNaN(d);
    }
    if (node.isString()) {
      return node.stringValue().isEmpty();
    }
    return false;
  }
}
