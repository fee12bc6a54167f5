package dev.patchbay.core.ot;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.OpType;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.patch.Paths;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replays a run of plain {@code @txt} edits of one text in a mutable buffer, for history replay.
 *
 * <p>Applying a change rebuilds the text it edits ({@code @txt} composes the whole document), so
 * replaying N edits of a text of size S costs N × S: a version cut of 1,000 edits to a 200 KB text
 * copied hundreds of megabytes on the document thread. Here the text is held in a buffer while
 * changes edit only it with plain Deltas (retain, insert of text, delete, no attributes, within its
 * length) and touch nothing related to its path; it is written back into the tree before anything
 * else reads it. The result is the tree that {@link JsonPatch#apply} change by change gives: a
 * plain edit of a plain text (one attribute-less insert ending in a newline) is that edit, and the
 * newline the composition appends when the text no longer ends in one.
 */
final class TextRun {
  private final String path;
  private final GapText text;
  private boolean edited;
  private @Nullable ArrayNode acceptedDelta;
  private @Nullable List<PatchOp> acceptedOthers;

  private TextRun(String path, String text) {
    this.path = path;
    this.text = new GapText(text);
  }

  /**
   * Starts a run for the text at {@code path} in {@code state}, or returns {@code null} when it is
   * not a plain text reached through objects only.
   */
  static @Nullable TextRun start(@Nullable JsonNode state, String path) {
    if (state == null || path.isEmpty() || !Paths.isPointer(path)) {
      return null;
    }
    JsonNode node = state;
    for (String key : Paths.split(path)) {
      if (!node.isObject()) {
        return null;
      }
      node = node.get(key);
      if (node == null) {
        return null;
      }
    }
    String plain = plainText(node);
    return plain == null ? null : new TextRun(path, plain);
  }

  /**
   * Whether {@code change} is one plain edit of this text (within its length) plus ops unrelated to
   * its path; if so, {@link #applyAccepted} applies it.
   */
  boolean accepts(Change change) {
    acceptedDelta = null;
    acceptedOthers = null;
    PatchOp textOp = null;
    List<PatchOp> others = new ArrayList<>(change.ops().size());
    for (PatchOp op : change.ops()) {
      if (op.type() == OpType.TXT && op.path().equals(path)) {
        if (textOp != null) {
          return false; // several edits of the text in one change: rare, replayed as they are
        }
        textOp = op;
      } else {
        others.add(op);
      }
    }
    if (textOp == null || !JsonPatch.independent(List.of(textOp), others)) {
      return false;
    }
    ArrayNode delta = plainDelta(textOp.value());
    if (delta == null || !withinText(delta, text.length())) {
      return false; // past the end: the composition's overrun rules decide
    }
    acceptedDelta = delta;
    acceptedOthers = others;
    return true;
  }

  /**
   * Applies the change {@link #accepts} just accepted: its other ops to {@code state} (returned),
   * then its edit to the buffer. Throws what applying the other ops throws, buffer untouched.
   */
  @Nullable JsonNode applyAccepted(@Nullable JsonNode state, ApplyOptions options) {
    ArrayNode delta = acceptedDelta;
    List<PatchOp> others = acceptedOthers;
    if (delta == null || others == null) {
      throw new IllegalStateException("no change accepted");
    }
    acceptedDelta = null;
    acceptedOthers = null;
    JsonNode next = others.isEmpty() ? state : JsonPatch.apply(state, others, options);
    edit(delta);
    return next;
  }

  /** Writes the buffer back into {@code state} at the run's path (if it was edited). */
  @Nullable JsonNode finish(@Nullable JsonNode state) {
    if (!edited) {
      return state;
    }
    ObjectNode insert = Json.object().put("insert", text.toString());
    ObjectNode doc = Json.object();
    doc.set("ops", Json.array().add(insert));
    JsonNode result = JsonPatch.apply(state, List.of(PatchOp.replace(path, doc)));
    if (result == null) {
      throw new IllegalStateException("replaying text at " + path + " removed the document");
    }
    return result;
  }

  private void edit(ArrayNode delta) {
    edited = true;
    int cursor = 0;
    for (JsonNode op : delta) {
      JsonNode insert = op.get("insert");
      if (insert != null) {
        String s = insert.stringValue();
        text.insert(cursor, s);
        cursor += s.length();
      } else if (op.has("retain")) {
        cursor += op.get("retain").intValue();
      } else {
        int n = op.get("delete").intValue();
        text.delete(cursor, n);
      }
    }
    if (text.length() == 0 || text.last() != '\n') {
      text.insert(text.length(), "\n");
    }
  }

  /**
   * The text of a run, held as a gap buffer: the free space sits where the last edit was, so an
   * edit costs the distance from the previous one, not the length of the text. With a plain builder
   * every insert shifted the rest of the text: replaying a version of 1,000 edits near the start of
   * a 450 KB text moved 450 MB, a sixth of the document thread's time in a long run of the commit
   * workload.
   */
  static final class GapText {
    private char[] chars;
    private int gapStart;
    private int gapEnd;

    GapText(String text) {
      chars = new char[Math.max(16, text.length() + text.length() / 4 + 16)];
      text.getChars(0, text.length(), chars, 0);
      gapStart = text.length();
      gapEnd = chars.length;
    }

    int length() {
      return chars.length - (gapEnd - gapStart);
    }

    /** The last character; the text must not be empty. */
    char last() {
      return gapEnd < chars.length ? chars[chars.length - 1] : chars[gapStart - 1];
    }

    void insert(int at, String s) {
      moveGap(at);
      if (s.length() > gapEnd - gapStart) {
        grow(s.length());
      }
      s.getChars(0, s.length(), chars, gapStart);
      gapStart += s.length();
    }

    void delete(int at, int count) {
      moveGap(at);
      gapEnd += count;
    }

    private void moveGap(int at) {
      if (at < gapStart) {
        int n = gapStart - at;
        System.arraycopy(chars, at, chars, gapEnd - n, n);
        gapStart -= n;
        gapEnd -= n;
      } else if (at > gapStart) {
        int n = at - gapStart;
        System.arraycopy(chars, gapEnd, chars, gapStart, n);
        gapStart += n;
        gapEnd += n;
      }
    }

    private void grow(int needed) {
      int after = chars.length - gapEnd;
      int capacity = Math.max(chars.length * 2, length() + needed + 16);
      char[] grown = new char[capacity];
      System.arraycopy(chars, 0, grown, 0, gapStart);
      System.arraycopy(chars, gapEnd, grown, capacity - after, after);
      gapEnd = capacity - after;
      chars = grown;
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder(length());
      out.append(chars, 0, gapStart);
      out.append(chars, gapEnd, chars.length - gapEnd);
      return out.toString();
    }
  }

  /** Whether no retain or delete of {@code delta} reaches past the end of the text. */
  private static boolean withinText(ArrayNode delta, int length) {
    long cursor = 0;
    long size = length;
    for (JsonNode op : delta) {
      JsonNode insert = op.get("insert");
      if (insert != null) {
        int n = insert.stringValue().length();
        cursor += n;
        size += n;
      } else if (op.has("retain")) {
        cursor += op.get("retain").intValue();
        if (cursor > size) {
          return false;
        }
      } else {
        int n = op.get("delete").intValue();
        if (cursor + n > size) {
          return false;
        }
        size -= n;
      }
    }
    return true;
  }

  /**
   * The ops of a Delta of only attribute-less retains, deletes (positive integers) and non-empty
   * text inserts, or {@code null}.
   */
  private static @Nullable ArrayNode plainDelta(@Nullable JsonNode value) {
    JsonNode ops = value;
    if (value != null && value.isObject()) {
      if (value.size() != 1) {
        return null;
      }
      ops = value.get("ops");
    }
    if (ops == null || !ops.isArray()) {
      return null;
    }
    for (JsonNode op : ops) {
      if (!op.isObject() || op.size() != 1) {
        return null;
      }
      JsonNode insert = op.get("insert");
      if (insert != null) {
        if (!insert.isString() || insert.stringValue().isEmpty()) {
          return null;
        }
        continue;
      }
      JsonNode count = op.has("retain") ? op.get("retain") : op.get("delete");
      if (count == null || !count.isInt() || count.intValue() <= 0) {
        return null;
      }
    }
    return (ArrayNode) ops;
  }

  /** The text of a document that is one attribute-less insert ending in a newline, or null. */
  private static @Nullable String plainText(JsonNode doc) {
    if (!doc.isObject() || doc.size() != 1) {
      return null;
    }
    JsonNode ops = doc.get("ops");
    if (ops == null || !ops.isArray() || ops.size() != 1) {
      return null;
    }
    JsonNode op = ops.get(0);
    if (!op.isObject() || op.size() != 1) {
      return null;
    }
    JsonNode insert = op.get("insert");
    if (insert == null || !insert.isString() || !insert.stringValue().endsWith("\n")) {
      return null;
    }
    return insert.stringValue();
  }
}
