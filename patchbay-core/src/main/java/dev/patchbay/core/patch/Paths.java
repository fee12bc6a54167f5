package dev.patchbay.core.patch;

import dev.patchbay.core.PatchbayException;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6901 JSON Pointer helpers with the Patches conventions: {@code ""} is the root, {@code ~0} is
 * {@code ~} and {@code ~1} is {@code /}, and a path whose last segment is a canonical non-negative
 * integer is an <em>array path</em> — purely syntactically, as the stateless OT transform needs.
 */
public final class Paths {
  private Paths() {}

  /**
   * Splits a pointer into its unescaped keys ({@code "/a/b~1c"} gives {@code [a, b/c]}).
   *
   * @throws PatchbayException with code 400 when the pointer is neither empty nor starts with /
   */
  public static List<String> split(String path) {
    if (path.isEmpty()) {
      return List.of();
    }
    if (path.charAt(0) != '/') {
      throw new PatchbayException(400, "Invalid JSON Pointer: " + path);
    }
    List<String> keys = new ArrayList<>();
    int start = 1;
    for (int i = 1; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        keys.add(unescape(path.substring(start, i)));
        start = i + 1;
      }
    }
    return keys;
  }

  /**
   * Returns whether {@code path} is a syntactically valid RFC 6901 pointer: empty (the root) or
   * starting with {@code /}, with {@code ~} only as {@code ~0} or {@code ~1}.
   */
  public static boolean isPointer(String path) {
    if (path.isEmpty()) {
      return true;
    }
    if (path.charAt(0) != '/') {
      return false;
    }
    for (int i = path.indexOf('~'); i >= 0; i = path.indexOf('~', i + 1)) {
      if (i + 1 >= path.length() || (path.charAt(i + 1) != '0' && path.charAt(i + 1) != '1')) {
        return false;
      }
    }
    return true;
  }

  /** Joins unescaped keys into a pointer. */
  public static String join(List<String> keys) {
    StringBuilder sb = new StringBuilder();
    for (String key : keys) {
      sb.append('/').append(escape(key));
    }
    return sb.toString();
  }

  /** Escapes one key for use as a pointer segment. */
  public static String escape(String key) {
    if (key.indexOf('~') < 0 && key.indexOf('/') < 0) {
      return key;
    }
    return key.replace("~", "~0").replace("/", "~1");
  }

  /** Unescapes one pointer segment. */
  public static String unescape(String segment) {
    if (segment.indexOf('~') < 0) {
      return segment;
    }
    return segment.replace("~1", "/").replace("~0", "~");
  }

  /** Returns the pointer of the parent of {@code path} ({@code ""} for a top-level key). */
  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "" : path.substring(0, slash);
  }

  /** Returns the raw (still escaped) last segment of {@code path}. */
  public static String lastSegment(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /**
   * Returns whether {@code segment} is a canonical array index: {@code 0} or {@code [1-9][0-9]*}.
   */
  public static boolean isIndex(String segment) {
    int n = segment.length();
    if (n == 0 || n > 9) {
      return false;
    }
    if (segment.charAt(0) == '0') {
      return n == 1;
    }
    for (int i = 0; i < n; i++) {
      char c = segment.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Returns whether the last segment of a non-root {@code path} is a canonical array index. */
  public static boolean isArrayPath(String path) {
    return !path.isEmpty() && isIndex(lastSegment(path));
  }

  /** Returns whether {@code path} equals {@code prefix} or lies under it. */
  public static boolean isAtOrUnder(String path, String prefix) {
    return path.equals(prefix) || isUnder(path, prefix);
  }

  /** Returns whether {@code path} lies strictly under {@code prefix}. */
  public static boolean isUnder(String path, String prefix) {
    return path.length() > prefix.length()
        && path.startsWith(prefix)
        && path.charAt(prefix.length()) == '/';
  }
}
