package dev.patchbay.server.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Read and write rights over document ids, as lists of glob patterns where {@code *} matches any
 * run of characters (including {@code /}) and every other character matches itself. Write implies
 * read. A session with read patterns and no write patterns is read-only.
 *
 * <p>The built-in authenticators take the rights from the {@code patchbay} claim of a JWT, {@code
 * {"read": ["public/*"], "write": ["users/alice/*"]}} (each member a list of patterns or one
 * pattern), or from the {@code read=} and {@code write=} fields of a token file line.
 *
 * @param read patterns of the document ids the identity may read
 * @param write patterns of the document ids the identity may read and write
 */
public record DocAccess(List<String> read, List<String> write) {
  private static final DocAccess ALL = new DocAccess(List.of("*"), List.of("*"));
  private static final DocAccess NONE = new DocAccess(List.of(), List.of());

  /** Copies and checks the patterns (none may be empty). */
  public DocAccess {
    read = List.copyOf(read);
    write = List.copyOf(write);
    for (String p : read) {
      if (p.isEmpty()) {
        throw new IllegalArgumentException("an access pattern must not be empty");
      }
    }
    for (String p : write) {
      if (p.isEmpty()) {
        throw new IllegalArgumentException("an access pattern must not be empty");
      }
    }
  }

  /** Returns rights to read and write every document (an open server's anonymous identity). */
  public static DocAccess all() {
    return ALL;
  }

  /** Returns no rights at all. */
  public static DocAccess none() {
    return NONE;
  }

  /**
   * Reads rights from a claim value shaped {@code {"read": [...], "write": [...]}}; each member may
   * also be a single string. A missing or malformed claim grants nothing.
   */
  public static DocAccess fromClaim(@Nullable Object claim) {
    if (!(claim instanceof Map<?, ?> map)) {
      return NONE;
    }
    return new DocAccess(patterns(map.get("read")), patterns(map.get("write")));
  }

  private static List<String> patterns(@Nullable Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof String s && !s.isEmpty()) {
      out.add(s);
    } else if (value instanceof Collection<?> list) {
      for (Object o : list) {
        if (o instanceof String s && !s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Returns whether this grants nothing. */
  public boolean isEmpty() {
    return read.isEmpty() && write.isEmpty();
  }

  /** Returns whether documents may be read but none written. */
  public boolean isReadOnly() {
    return write.isEmpty();
  }

  /** Returns whether {@code docId} may be read (a write right includes reading). */
  public boolean canRead(String docId) {
    return matches(read, docId) || matches(write, docId);
  }

  /** Returns whether {@code docId} may be written. */
  public boolean canWrite(String docId) {
    return matches(write, docId);
  }

  private static boolean matches(List<String> patterns, String docId) {
    for (String p : patterns) {
      if (glob(p, docId)) {
        return true;
      }
    }
    return false;
  }

  /** Matches {@code *} as any run of characters, without building a regular expression. */
  static boolean glob(String pattern, String text) {
    int p = 0;
    int t = 0;
    int star = -1;
    int mark = 0;
    while (t < text.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
