package dev.patchbay.loadgen;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Reads of a commit answer only what a client needs to go on: its id and the revision of the last
 * change in {@code result.changes}, the newest, as the protocol sends changes in commit order. An
 * answer carries every change committed since the client's base revision (about one per other
 * client in the commit workload), so a driver that tokenised them all (as {@link Skim} does) spent
 * the CPU the server then lacked. This scan only walks the bytes: strings and nested values are
 * skipped by matching quotes and brackets, no token or node is built, and only the {@code rev} of
 * the last change is parsed. When the changes array is the frame's last member (how Patches servers
 * write it) the scan goes there from the frame's end and crosses one change instead of all of them:
 * in the commit workload (32 clients, about 18 KB a commit on the wire) that cut the driver's CPU
 * from 134 to 106 µs a commit.
 *
 * <p>A frame that is not a plain answer (a notification, an error, anything unexpected) is left to
 * the full reader: {@link #scan} returns {@code null} for it.
 *
 * <p>{@link #committed} reads a {@code changesCommitted} notification the same way for the
 * broadcast workload, which receives nine of them per op sent: the document, the newest revision
 * and the stamp of each op. Reading them with {@link Skim} took a third of the driver's event-loop
 * CPU.
 */
final class AnswerScan {
  private static final byte[] ID = bytes("id");
  private static final byte[] RESULT = bytes("result");
  private static final byte[] CHANGES = bytes("changes");
  private static final byte[] REV = bytes("rev");
  private static final byte[] JSONRPC = bytes("jsonrpc");
  private static final byte[] METHOD = bytes("method");
  private static final byte[] PARAMS = bytes("params");
  private static final byte[] CHANGES_COMMITTED = bytes("changesCommitted");
  private static final byte[] DOC_ID = bytes("docId");
  private static final byte[] OPS = bytes("ops");
  private static final byte[] PATH = bytes("path");
  private static final byte[] VALUE = bytes("value");
  private static final byte[] S = bytes("s");
  private static final byte[] T = bytes("t");

  // Byte classes for skipping: what ends a scalar, opens or closes a container, or opens a string.
  private static final byte PLAIN = 0;
  private static final byte END = 1;
  private static final byte OPEN = 2;
  private static final byte CLOSE = 3;
  private static final byte QUOTE = 4;
  private static final byte[] BYTE_CLASS = new byte[256];

  static {
    for (char c : new char[] {',', ' ', '\n', '\r', '\t', ':'}) {
      BYTE_CLASS[c] = END;
    }
    BYTE_CLASS['{'] = OPEN;
    BYTE_CLASS['['] = OPEN;
    BYTE_CLASS['}'] = CLOSE;
    BYTE_CLASS[']'] = CLOSE;
    BYTE_CLASS['"'] = QUOTE;
  }

  /** A plain answer: its id, and the {@code rev} of its last change (0 when none). */
  record Answer(int id, long lastRev) {}

  /**
   * The stamp of one op whose value is an object with a {@code t} member (the broadcast workload's
   * {@code {s, t}}): the op's path and the value's {@code s} (0 when absent) and {@code t}.
   */
  record Stamp(String path, long s, long t) {}

  /**
   * What the broadcast workload reads of committed changes: their document, the highest {@code rev}
   * among them (0 when none) and the stamps of their ops, in order.
   */
  record Committed(String docId, long lastRev, List<Stamp> stamps) {
    /**
     * Reads the same from a tree: {@code changes} is an array of change objects; an op is stamped
     * when its {@code value} has a {@code t} member, read as {@link JsonNode#asLong()} reads it.
     */
    static Committed of(String docId, JsonNode changes) {
      long lastRev = 0;
      List<Stamp> stamps = new ArrayList<>(1);
      for (JsonNode change : changes) {
        lastRev = Math.max(lastRev, change.path("rev").asLong(0));
        for (JsonNode op : change.path("ops")) {
          JsonNode value = op.path("value");
          if (value.has("t")) {
            stamps.add(
                new Stamp(
                    op.path("path").asString(""),
                    value.path("s").asLong(),
                    value.path("t").asLong()));
          }
        }
      }
      return new Committed(docId, lastRev, stamps);
    }
  }

  private final byte[] b;
  private int i;
  private int keyEnd; // of the key just read by key()

  private AnswerScan(byte[] frame) {
    this.b = frame;
  }

  /**
   * Scans a frame that should be a successful answer; returns {@code null} when it is anything else
   * (a member other than {@code jsonrpc}, {@code id} and {@code result}, or malformed).
   */
  static @Nullable Answer scan(byte[] frame) {
    try {
      return new AnswerScan(frame).answer();
    } catch (RuntimeException e) {
      return null; // the full reader decides, and reports what is wrong
    }
  }

  /**
   * Scans a frame that should be a {@code changesCommitted} notification; returns the {@code rev}
   * of its last change, or -1 when it is anything else.
   */
  static long committedRev(byte[] frame) {
    try {
      Long rev = new AnswerScan(frame).ofCommitted(scan -> scan.result());
      return rev == null ? -1 : rev;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /**
   * Scans a frame that should be a {@code changesCommitted} notification; returns {@code null} when
   * it is anything else, or holds what this scan leaves to the full reader: an escape in the
   * document id or an op's path, or an {@code s} or {@code t} that is not a non-negative integer.
   */
  static @Nullable Committed committed(byte[] frame) {
    try {
      return new AnswerScan(frame).ofCommitted(scan -> scan.committedParams());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private Committed committedParams() {
    String docId = null;
    long lastRev = 0;
    List<Stamp> stamps = new ArrayList<>(1);
    if (openObject()) {
      do {
        int key = key();
        if (is(key, DOC_ID)) {
          docId = plainString();
        } else if (is(key, CHANGES)) {
          if (openArray()) {
            do {
              lastRev = Math.max(lastRev, stampedChange(stamps));
            } while (more());
          }
        } else {
          skipValue();
        }
      } while (more());
    }
    if (docId == null) {
      throw new IllegalArgumentException("no docId");
    }
    return new Committed(docId, lastRev, stamps);
  }

  /** Reads one change object: adds its ops' stamps, returns its rev (0 when it has none). */
  private long stampedChange(List<Stamp> stamps) {
    long rev = 0;
    if (openObject()) {
      do {
        int key = key();
        if (is(key, REV)) {
          ws();
          rev = parseLong();
        } else if (is(key, OPS)) {
          if (openArray()) {
            do {
              stampedOp(stamps);
            } while (more());
          }
        } else {
          skipValue();
        }
      } while (more());
    }
    return rev;
  }

  private void stampedOp(List<Stamp> stamps) {
    String path = null;
    boolean stamped = false;
    long s = 0;
    long t = 0;
    if (openObject()) {
      do {
        int key = key();
        if (is(key, PATH)) {
          path = plainString();
        } else if (is(key, VALUE)) {
          // A repeated member replaces the earlier one, as in a tree.
          stamped = false;
          s = 0;
          t = 0;
          if (peek() == '{' && openObject()) {
            do {
              int member = key();
              if (is(member, S)) {
                ws();
                s = parseLong();
              } else if (is(member, T)) {
                ws();
                t = parseLong();
                stamped = true;
              } else {
                skipValue();
              }
            } while (more());
          } else {
            skipValue();
          }
        } else {
          skipValue();
        }
      } while (more());
    }
    if (stamped) {
      stamps.add(new Stamp(path == null ? "" : path, s, t));
    }
  }

  /** Reads a string without escapes (the full reader decodes those). */
  private String plainString() {
    ws();
    int start = i + 1;
    int end = skipString();
    for (int k = start; k < end; k++) {
      if (b[k] == '\\') {
        throw new IllegalArgumentException("escaped string at " + start);
      }
    }
    return new String(b, start, end - start, StandardCharsets.UTF_8);
  }

  /**
   * Walks a {@code changesCommitted} notification, reading its params with {@code params}; returns
   * what that read, or {@code null} when the frame is another message.
   */
  private <T> @Nullable T ofCommitted(Function<AnswerScan, T> params) {
    boolean committed = false;
    T read = null;
    if (openObject()) {
      do {
        int key = key();
        if (is(key, METHOD)) {
          ws();
          int valueStart = i + 1;
          committed = equals(valueStart, skipString(), CHANGES_COMMITTED);
        } else if (is(key, PARAMS)) {
          read = params.apply(this);
        } else if (is(key, JSONRPC)) {
          skipValue();
        } else {
          return null;
        }
      } while (more());
    }
    return committed ? read : null;
  }

  private @Nullable Answer answer() {
    int id = -1;
    long lastRev = -1;
    if (openObject()) {
      do {
        int key = key();
        if (is(key, ID)) {
          ws();
          id = parseInt();
        } else if (is(key, RESULT)) {
          lastRev = result();
        } else if (is(key, JSONRPC)) {
          skipValue();
        } else {
          return null; // error, method, or something this scan does not know
        }
      } while (more());
    }
    return id < 0 || lastRev < 0 ? null : new Answer(id, lastRev);
  }

  /** The rev of the last of an object's {@code changes} (a result or a notification's params). */
  private long result() {
    long last = 0;
    if (openObject()) {
      do {
        if (is(key(), CHANGES)) {
          expect('[');
          int open = i - 1;
          int close = tailArrayClose();
          int lastStart = close < 0 ? -1 : lastObjectStart(open, close);
          if (peek() == ']') {
            i++;
          } else if (lastStart >= 0) {
            i = lastStart; // changes are in commit order: the last one has the highest rev
            last = changeRev();
            i = close + 1;
          } else {
            do {
              last = changeRev();
            } while (more());
          }
        } else {
          skipValue();
        }
      } while (more());
    }
    return last;
  }

  /**
   * Where the array that the frame ends with closes: the index of a {@code ]} followed by nothing
   * but two {@code }} (those of the result or params and of the message) and whitespace; -1 when
   * the frame ends otherwise (another member after the changes, say), which takes the forward walk.
   */
  private int tailArrayClose() {
    int j = b.length - 1;
    for (int braces = 0; braces < 2; braces++) {
      while (j > 0 && isWs(b[j])) {
        j--;
      }
      if (b[j--] != '}') {
        return -1;
      }
    }
    while (j > 0 && isWs(b[j])) {
      j--;
    }
    return b[j] == ']' ? j : -1;
  }

  /**
   * Walks back from the array's closing bracket at {@code close} to where its last element, an
   * object, starts; -1 when the array does not end with an object or it is not the array opened at
   * {@code open}. A string is crossed backwards from its closing quote to the previous quote not
   * escaped (string content has no other), so the cost is the size of one change, not of all the
   * catch-up before it.
   */
  private int lastObjectStart(int open, int close) {
    int j = close - 1;
    while (j > open && isWs(b[j])) {
      j--;
    }
    if (b[j] != '}') {
      return -1;
    }
    int depth = 0;
    for (; j > open; j--) {
      byte c = b[j];
      if (c == '"') {
        j = openingQuote(j);
      } else if (c == '}' || c == ']') {
        depth++;
      } else if ((c == '{' || c == '[') && --depth == 0) {
        int k = j - 1;
        while (k > open && isWs(b[k])) {
          k--;
        }
        return b[k] == ',' || k == open ? j : -1;
      }
    }
    return -1;
  }

  /** The index of the quote that opens the string whose closing quote is at {@code closing}. */
  private int openingQuote(int closing) {
    int j = closing - 1;
    while (b[j] != '"' || escaped(j)) {
      j--;
    }
    return j;
  }

  /** Whether the quote at {@code q} is escaped: an odd run of backslashes before it. */
  private boolean escaped(int q) {
    int n = 0;
    while (b[q - 1 - n] == '\\') {
      n++;
    }
    return (n & 1) == 1;
  }

  private static boolean isWs(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  /** The rev of one change object (0 when it has none). */
  private long changeRev() {
    long rev = 0;
    if (openObject()) {
      do {
        if (is(key(), REV)) {
          ws();
          rev = parseLong();
        } else {
          skipValue();
        }
      } while (more());
    }
    return rev;
  }

  /** Enters an object: true with the cursor before its first key, false (consumed) when empty. */
  private boolean openObject() {
    expect('{');
    if (peek() == '}') {
      i++;
      return false;
    }
    return true;
  }

  /**
   * Enters an array: true with the cursor before its first element, false (consumed) when empty.
   */
  private boolean openArray() {
    expect('[');
    if (peek() == ']') {
      i++;
      return false;
    }
    return true;
  }

  /** Reads a member's key and colon; returns where the key starts ({@link #keyEnd}: its end). */
  private int key() {
    ws();
    int start = i + 1;
    keyEnd = skipString();
    expect(':');
    return start;
  }

  private boolean is(int keyStart, byte[] name) {
    return equals(keyStart, keyEnd, name);
  }

  /** After a member or element: true at a comma (consumed), false at the closing bracket. */
  private boolean more() {
    ws();
    byte c = b[i++];
    if (c == ',') {
      ws();
      return true;
    }
    if (c == '}' || c == ']') {
      return false;
    }
    throw new IllegalArgumentException("unexpected byte at " + (i - 1));
  }

  /** Skips one value of any kind. */
  private void skipValue() {
    ws();
    byte c = b[i];
    if (c == '"') {
      skipString();
    } else if (c == '{' || c == '[') {
      i = skipContainer(b, i);
    } else {
      while (i < b.length && BYTE_CLASS[b[i] & 0xFF] != END && BYTE_CLASS[b[i] & 0xFF] != CLOSE) {
        i++; // a number, true, false or null
      }
    }
  }

  /**
   * Returns the index after the object or array opening at {@code at}. One table load and compare
   * per byte outside strings, two compares per byte inside; the index lives in a local, as a field
   * would be written back at every byte by the driver's C1-compiled code.
   */
  private static int skipContainer(byte[] b, int at) {
    int j = at;
    int depth = 0;
    while (true) {
      byte kind = BYTE_CLASS[b[j++] & 0xFF];
      if (kind == PLAIN || kind == END) {
        continue;
      }
      if (kind == QUOTE) {
        j = afterString(b, j);
      } else if (kind == OPEN) {
        depth++;
      } else if (kind == CLOSE && --depth == 0) {
        return j;
      }
    }
  }

  /** Returns the index of the quote that ends the string whose content starts at {@code from}. */
  private static int afterString(byte[] b, int from) {
    int j = from;
    while (true) {
      byte c = b[j];
      if (c == '"') {
        return j + 1;
      }
      j += c == '\\' ? 2 : 1;
    }
  }

  /** Skips a string starting at the quote under the cursor; returns the index of its end quote. */
  private int skipString() {
    ws();
    if (b[i] != '"') {
      throw new IllegalArgumentException("expected a string at " + i);
    }
    i = afterString(b, i + 1);
    return i - 1;
  }

  private int parseInt() {
    long v = parseLong();
    if (v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("id out of range");
    }
    return (int) v;
  }

  private long parseLong() {
    int start = i;
    long v = 0;
    while (i < b.length && b[i] >= '0' && b[i] <= '9') {
      v = v * 10 + (b[i++] - '0');
    }
    if (i == start || i - start > 18) {
      throw new IllegalArgumentException("expected a non-negative integer at " + start);
    }
    byte next = i < b.length ? b[i] : 0;
    if (next == '.' || next == 'e' || next == 'E') {
      throw new IllegalArgumentException("not an integer at " + start);
    }
    return v;
  }

  private void expect(char c) {
    ws();
    if (b[i] != c) {
      throw new IllegalArgumentException("expected '" + c + "' at " + i);
    }
    i++;
  }

  private byte peek() {
    ws();
    return b[i];
  }

  private void ws() {
    while (i < b.length && isWs(b[i])) {
      i++;
    }
  }

  /** Whether the raw key bytes {@code [start, end)} are {@code name} (keys here are unescaped). */
  private boolean equals(int start, int end, byte[] name) {
    if (end - start != name.length) {
      return false;
    }
    for (int k = 0; k < name.length; k++) {
      if (b[start + k] != name[k]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
