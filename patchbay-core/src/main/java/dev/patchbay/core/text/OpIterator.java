package dev.patchbay.core.text;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Walks a list of ops in pieces of a requested length, as quill-delta's {@code OpIterator} does.
 * Past the end it yields an endless plain retain, which is what lets compose and transform treat a
 * shorter Delta as if it kept the rest of the document.
 */
final class OpIterator {
  private static final Op RETAIN_REST = Op.retain(Op.INFINITE, null);

  private final List<Op> ops;
  private int index;
  private int offset;

  OpIterator(List<Op> ops) {
    this.ops = ops;
  }

  boolean hasNext() {
    return peekLength() < Op.INFINITE;
  }

  /** Returns the rest of the current op. */
  Op next() {
    return next(Op.INFINITE);
  }

  /**
   * Returns up to {@code length} of the current op. A length of zero or less means the whole rest
   * of the op, as in quill, where {@code next(0)} falls back to {@code Infinity}.
   */
  Op next(int length) {
    if (length <= 0) {
      length = Op.INFINITE;
    }
    if (index >= ops.size()) {
      return RETAIN_REST;
    }
    Op op = ops.get(index);
    int start = offset;
    int remaining = op.length() - start;
    if (length >= remaining) {
      length = remaining;
      index++;
      offset = 0;
    } else {
      offset += length;
    }
    switch (op.kind) {
      case DELETE:
        return Op.delete(length);
      case RETAIN:
        // An embed retain has length one and is never split.
        return op.embed != null ? op : Op.retain(length, op.attributes);
      default:
        if (op.text == null) {
          return op;
        }
        return Op.insert(op.text.substring(start, start + length), op.attributes);
    }
  }

  /** Returns the current op as stored (not the remaining piece), or {@code null} at the end. */
  @Nullable Op peek() {
    return index < ops.size() ? ops.get(index) : null;
  }

  int peekLength() {
    if (index < ops.size()) {
      return ops.get(index).length() - offset;
    }
    return Op.INFINITE;
  }

  Op.Kind peekType() {
    if (index < ops.size()) {
      return ops.get(index).kind;
    }
    return Op.Kind.RETAIN;
  }

  /** Returns the unread ops: the rest of a partly read op, then the following ops as stored. */
  List<Op> rest() {
    if (!hasNext()) {
      return List.of();
    }
    if (offset == 0) {
      return ops.subList(index, ops.size());
    }
    int savedIndex = index;
    int savedOffset = offset;
    Op first = next();
    List<Op> rest = new ArrayList<>(ops.size() - index + 1);
    rest.add(first);
    rest.addAll(ops.subList(index, ops.size()));
    index = savedIndex;
    offset = savedOffset;
    return rest;
  }
}
