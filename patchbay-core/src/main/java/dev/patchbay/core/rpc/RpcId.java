package dev.patchbay.core.rpc;

import dev.patchbay.core.json.Json;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * The id of a JSON-RPC request: a number or a string, echoed verbatim in the response.
 *
 * <p>Numbers are normalised the way JavaScript reads them, so {@code 1} and {@code 1.0} are the
 * same id: an integral value that fits a {@code long} is held as a long, any other number as it was
 * parsed. Instances are immutable and can be shared between threads.
 *
 * @param value a string node or a finite number node
 */
public record RpcId(JsonNode value) {

  /**
   * Validates and normalises the id.
   *
   * @throws IllegalArgumentException when {@code value} is neither a string nor a finite number
   */
  public RpcId {
    Objects.requireNonNull(value, "value");
    if (!isValid(value)) {
      throw new IllegalArgumentException("A JSON-RPC id must be a string or a finite number");
    }
    value = normalize(value);
  }

  /** Returns a numeric id. */
  public static RpcId of(long id) {
    return new RpcId(Json.NODES.numberNode(id));
  }

  /** Returns a string id. */
  public static RpcId of(String id) {
    return new RpcId(Json.NODES.stringNode(id));
  }

  /** Returns whether {@code node} can be a request id: a string or a finite number. */
  static boolean isValid(JsonNode node) {
    if (node.isString()) {
      return true;
    }
    if (!node.isNumber()) {
      return false;
    }
    return node.isIntegralNumber() || Double.isFinite(node.doubleValue());
  }

  private static JsonNode normalize(JsonNode node) {
    if (!node.isNumber()) {
      return node;
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? Json.NODES.numberNode(node.longValue()) : node;
    }
    double d = node.doubleValue();
    if (d == Math.rint(d) && Math.abs(d) < 9.223372036854775E18) {
      return Json.NODES.numberNode((long) d);
    }
    return Json.NODES.numberNode(d);
  }

  /** Returns whether this id is a number. */
  public boolean isNumber() {
    return value.isNumber();
  }

  /** Returns whether this id is a string. */
  public boolean isString() {
    return value.isString();
  }

  @Override
  public String toString() {
    return Json.write(value);
  }
}
