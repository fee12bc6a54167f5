package dev.patchbay.loadgen;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * Reads of a commit answer only what a client needs to go on: its id and the newest revision among
 * {@code result.changes}. An answer carries every change committed since the client's base
 * revision, so when a server falls behind its answers grow, and a driver that tokenised them all
 * (as {@link Skim} does) spent the CPU the server then lacked, deepening the very backlog it
 * measures. This scan only walks the bytes: strings and nested values are skipped by matching
 * quotes and brackets, no token or node is built, and only the {@code rev} members of the change
 * objects are parsed.
 *
 * <p>A frame that is not a plain answer (a notification, an error, anything unexpected) is left to
 * the full reader: {@link #scan} returns {@code null} for it.
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

  /** A plain answer: its id, and the highest {@code rev} of its changes (0 when none). */
  record Answer(int id, long maxRev) {}

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
   * Scans a frame that should be a {@code changesCommitted} notification; returns the highest
   * {@code rev} of its changes, or -1 when it is anything else.
   */
  static long committedRev(byte[] frame) {
    try {
      return new AnswerScan(frame).notification();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private long notification() {
    boolean committed = false;
    long maxRev = -1;
    if (openObject()) {
      do {
        int key = key();
        if (is(key, METHOD)) {
          int valueStart = i + 1;
          committed = equals(valueStart, skipString(), CHANGES_COMMITTED);
        } else if (is(key, PARAMS)) {
          maxRev = result();
        } else if (is(key, JSONRPC)) {
          skipValue();
        } else {
          return -1;
        }
      } while (more());
    }
    return committed ? maxRev : -1;
  }

  private @Nullable Answer answer() {
    int id = -1;
    long maxRev = -1;
    if (openObject()) {
      do {
        int key = key();
        if (is(key, ID)) {
          ws();
          id = parseInt();
        } else if (is(key, RESULT)) {
          maxRev = result();
        } else if (is(key, JSONRPC)) {
          skipValue();
        } else {
          return null; // error, method, or something this scan does not know
        }
      } while (more());
    }
    return id < 0 || maxRev < 0 ? null : new Answer(id, maxRev);
  }

  /** The highest rev in an object's {@code changes} (a result or a notification's params). */
  private long result() {
    long max = 0;
    if (openObject()) {
      do {
        if (is(key(), CHANGES)) {
          expect('[');
          if (peek() == ']') {
            i++;
          } else {
            do {
              max = Math.max(max, changeRev());
            } while (more());
          }
        } else {
          skipValue();
        }
      } while (more());
    }
    return max;
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
      return;
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      while (true) {
        c = b[i];
        if (c == '"') {
          skipString();
          continue;
        }
        i++;
        if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) {
            return;
          }
        }
      }
    }
    while (i < b.length) {
      c = b[i];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        return;
      }
      i++;
    }
  }

  /** Skips a string starting at the quote under the cursor; returns the index of its end quote. */
  private int skipString() {
    ws();
    if (b[i] != '"') {
      throw new IllegalArgumentException("expected a string at " + i);
    }
    i++;
    while (true) {
      byte c = b[i];
      if (c == '\\') {
        i += 2;
      } else if (c == '"') {
        return i++;
      } else {
        i++;
      }
    }
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
    while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
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
