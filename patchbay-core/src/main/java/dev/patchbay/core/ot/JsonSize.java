package dev.patchbay.core.ot;

import java.math.BigDecimal;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The byte size of a tree as the Patches client measures it: the UTF-8 length of what JavaScript's
 * {@code JSON.stringify} writes. Counting is done without building the text. Splitting decisions
 * depend on these numbers, so the rules follow JavaScript, not Jackson: integral doubles have no
 * {@code .0}, exponents appear only beyond 1e21 and below 1e-6, non-finite numbers are {@code
 * null}, and a lone surrogate is written as a six-byte escape.
 */
final class JsonSize {
  private JsonSize() {}

  static long of(JsonNode node) {
    if (node.isObject()) {
      long size = 2;
      int n = 0;
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        size += string(e.getKey()) + 1 + of(e.getValue());
        n++;
      }
      return size + Math.max(0, n - 1);
    }
    if (node.isArray()) {
      long size = 2;
      for (JsonNode child : node) {
        size += of(child);
      }
      return size + Math.max(0, node.size() - 1);
    }
    if (node.isString()) {
      return string(node.stringValue());
    }
    if (node.isNumber()) {
      return number(node);
    }
    if (node.isBoolean()) {
      return node.booleanValue() ? 4 : 5;
    }
    if (node.isNull() || node.isMissingNode()) {
      return 4;
    }
    return string(node.asString());
  }

  /** Bytes of a quoted JSON string literal. */
  static long string(String s) {
    long size = 2;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
        size += 2;
      } else if (c < 0x20) {
        size += 6;
      } else if (c < 0x80) {
        size += 1;
      } else if (c < 0x800) {
        size += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        size += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        size += 6;
      } else {
        size += 3;
      }
    }
    return size;
  }

  private static long number(JsonNode node) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      long v = node.longValue();
      if (Math.abs((double) v) < 1e21) {
        return Long.toString(v).length();
      }
    }
    return jsNumberLength(node.doubleValue());
  }

  /** Length of {@code Number.prototype.toString()} for {@code v}. */
  static int jsNumberLength(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return 4; // JSON.stringify writes null
    }
    if (v == 0) {
      return 1; // -0 is written as 0
    }
    int sign = v < 0 ? 1 : 0;
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    int k = d.precision();
    int n = d.precision() - d.scale(); // decimal point position: value = 0.digits * 10^n
    if (k <= n && n <= 21) {
      return sign + n;
    }
    if (0 < n && n <= 21) {
      return sign + k + 1;
    }
    if (-6 < n && n <= 0) {
      return sign + 2 - n + k;
    }
    int exponent = Math.abs(n - 1);
    return sign + k + (k > 1 ? 1 : 0) + 2 + Integer.toString(exponent).length();
  }
}
