package dev.patchbay.core.patch;

import dev.patchbay.core.json.Json;
import java.math.BigDecimal;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The few JavaScript value rules the Patches apply engine depends on, over Jackson trees: property
 * reads ({@code obj[key]}), truthiness, {@code +}, {@code >} and 32-bit integer conversion.
 *
 * <p>Patches documents are built by JavaScript code on the client, so an op behaves the same on
 * both sides only when Java reads values the way JavaScript does: a numeric key reads an array
 * element, {@code 0} and {@code ""} count as missing when a path is walked, {@code "a" + 1} is
 * {@code "a1"}. A Java {@code null} stands for JavaScript {@code undefined} throughout.
 */
final class Js {
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final String OBJECT_STRING = "[object Object]";

  private Js() {}

  /** {@code Boolean(value)}; see {@link Json#truthy}. */
  static boolean truthy(@Nullable JsonNode node) {
    return Json.truthy(node);
  }

  /**
   * {@code container[key]}: an object member, an array element by canonical index (or the array
   * {@code length}), a character of a string; {@code null} (undefined) for anything else.
   */
  static @Nullable JsonNode get(@Nullable JsonNode container, String key) {
    if (container == null) {
      return null;
    }
    if (container.isObject()) {
      return container.get(key);
    }
    if (container.isArray()) {
      long index = arrayIndex(key);
      if (index >= 0) {
        return index < container.size() ? container.get((int) index) : null;
      }
      return "length".equals(key) ? Json.NODES.numberNode(container.size()) : null;
    }
    if (container.isString()) {
      String s = container.stringValue();
      long index = arrayIndex(key);
      if (index >= 0) {
        return index < s.length()
            ? Json.NODES.stringNode(String.valueOf(s.charAt((int) index)))
            : null;
      }
      return "length".equals(key) ? Json.NODES.numberNode(s.length()) : null;
    }
    return null;
  }

  /** {@code key in container} for an object or array (own members only). */
  static boolean has(JsonNode container, String key) {
    if (container.isObject()) {
      return container.has(key);
    }
    if (container.isArray()) {
      long index = arrayIndex(key);
      return index >= 0 ? index < container.size() : "length".equals(key);
    }
    return false;
  }

  /**
   * Returns the value of {@code key} when it is a JavaScript array index (a canonical unsigned
   * integer below 2^32 - 1), otherwise -1.
   */
  static long arrayIndex(String key) {
    int n = key.length();
    if (n == 0 || n > 10 || (key.charAt(0) == '0' && n > 1)) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value < 4294967295L ? value : -1;
  }

  /**
   * The Patches reading of an array key: {@code -} is the length, a run of digits is its value
   * (leading zeros and the empty key allowed, as {@code +str} reads them), anything else is -1.
   */
  static long toArrayIndex(int length, String key) {
    if ("-".equals(key)) {
      return length;
    }
    long value = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value > Long.MAX_VALUE / 10 - 1 ? Long.MAX_VALUE : value * 10 + (c - '0');
    }
    return value;
  }

  /** {@code a || fallback}. */
  static JsonNode or(@Nullable JsonNode a, JsonNode fallback) {
    return truthy(a) ? a : fallback;
  }

  /** {@code a + b}: string concatenation when either side is (or turns into) a string. */
  static JsonNode plus(@Nullable JsonNode a, @Nullable JsonNode b) {
    Object pa = toPrimitive(a);
    Object pb = toPrimitive(b);
    if (pa instanceof String || pb instanceof String) {
      return Json.NODES.stringNode(toStringValue(pa) + toStringValue(pb));
    }
    return numberNode(toNumber(pa) + toNumber(pb));
  }

  /** {@code a > b} with JavaScript's relational comparison. */
  static boolean greater(@Nullable JsonNode a, @Nullable JsonNode b) {
    return compare(toPrimitive(a), toPrimitive(b)) > 0;
  }

  /** {@code a < b} with JavaScript's relational comparison. */
  static boolean less(@Nullable JsonNode a, @Nullable JsonNode b) {
    int c = compare(toPrimitive(a), toPrimitive(b));
    return c < 0 && c != UNORDERED;
  }

  private static final int UNORDERED = Integer.MIN_VALUE;

  // Returns the sign of a - b, or UNORDERED when either side is NaN (every comparison is false).
  private static int compare(Object a, Object b) {
    if (a instanceof String && b instanceof String) {
      return Integer.signum(((String) a).compareTo((String) b));
    }
    double x = toNumber(a);
    double y = toNumber(b);
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return UNORDERED;
    }
    return x == y ? 0 : (x > y ? 1 : -1);
  }

  /** {@code ToInt32(value)} of a node (undefined, NaN and infinities are 0). */
  static int toInt32(@Nullable JsonNode node) {
    return toInt32(toNumber(toPrimitive(node)));
  }

  static int toInt32(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return 0;
    }
    double truncated = d < 0 ? Math.ceil(d) : Math.floor(d);
    return (int) (long) (truncated % 4294967296.0);
  }

  /**
   * A number node for a JavaScript number; NaN and the infinities become null, as JSON has them.
   */
  static JsonNode numberNode(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? Json.NODES.nullNode() : Json.number(d);
  }

  /** {@code JSON.stringify(value)} for messages; undefined prints as {@code undefined}. */
  static String stringify(@Nullable JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "undefined";
    }
    if (node.isNumber()) {
      return numberToString(node.doubleValue());
    }
    return Json.write(node);
  }

  /** A one-line JavaScript rendering of a primitive, for TypeError-like messages. */
  static String describe(JsonNode node) {
    if (node.isString()) {
      return "string '" + node.stringValue() + "'";
    }
    if (node.isNumber()) {
      return "number '" + numberToString(node.doubleValue()) + "'";
    }
    if (node.isBoolean()) {
      return "boolean '" + node.booleanValue() + "'";
    }
    return node.isNull() ? "null" : "undefined";
  }

  // Primitive values are String, Double, Boolean, NULL or UNDEFINED.
  private static final Object NULL = new Object();
  private static final Object UNDEFINED = new Object();

  private static Object toPrimitive(@Nullable JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return UNDEFINED;
    }
    if (node.isNull()) {
      return NULL;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isString()) {
      return node.stringValue();
    }
    if (node.isArray()) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        JsonNode element = node.get(i);
        if (!element.isNull()) {
          sb.append(toStringValue(toPrimitive(element)));
        }
      }
      return sb.toString();
    }
    return OBJECT_STRING;
  }

  private static String toStringValue(Object primitive) {
    if (primitive == UNDEFINED) {
      return "undefined";
    }
    if (primitive == NULL) {
      return "null";
    }
    if (primitive instanceof Double) {
      return numberToString((Double) primitive);
    }
    return primitive.toString();
  }

  private static double toNumber(Object primitive) {
    if (primitive == UNDEFINED) {
      return Double.NaN;
    }
    if (primitive == NULL) {
      return 0;
    }
    if (primitive instanceof Boolean) {
      return ((Boolean) primitive) ? 1 : 0;
    }
    if (primitive instanceof Double) {
      return (Double) primitive;
    }
    return stringToNumber((String) primitive);
  }

  private static double stringToNumber(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return 0;
    }
    switch (t) {
      case "Infinity":
      case "+Infinity":
        return Double.POSITIVE_INFINITY;
      case "-Infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (t.length() > 2 && t.charAt(0) == '0') {
      int radix;
      switch (Character.toLowerCase(t.charAt(1))) {
        case 'x':
          radix = 16;
          break;
        case 'o':
          radix = 8;
          break;
        case 'b':
          radix = 2;
          break;
        default:
          radix = 0;
      }
      if (radix != 0) {
        try {
          return new java.math.BigInteger(t.substring(2), radix).doubleValue();
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    return DECIMAL.matcher(t).matches() ? Double.parseDouble(t) : Double.NaN;
  }

  /** {@code Number.prototype.toString()} for a double. */
  static String numberToString(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0) {
      return "0";
    }
    String sign = d < 0 ? "-" : "";
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = exact.unscaledValue().toString();
    int k = digits.length();
    int n = k - exact.scale(); // the value is 0.digits * 10^n
    StringBuilder sb = new StringBuilder(sign);
    if (k <= n && n <= 21) {
      sb.append(digits).append("0".repeat(n - k));
    } else if (0 < n && n <= 21) {
      sb.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      sb.append("0.").append("0".repeat(-n)).append(digits);
    } else {
      int e = n - 1;
      sb.append(digits.charAt(0));
      if (k > 1) {
        sb.append('.').append(digits, 1, k);
      }
      sb.append('e').append(e < 0 ? "-" : "+").append(Math.abs(e));
    }
    return sb.toString();
  }
}
