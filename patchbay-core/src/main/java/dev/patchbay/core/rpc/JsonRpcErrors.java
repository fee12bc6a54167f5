package dev.patchbay.core.rpc;

import dev.patchbay.core.PatchbayException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The JSON-RPC 2.0 error codes and the exceptions that carry them.
 *
 * <p>Negative codes are protocol errors; positive codes are the HTTP-like statuses the Patches
 * dialect sends as {@code error.code} (see {@link PatchbayException}). Patches answers any error
 * without a code of its own, an unknown method included, with {@link #SERVER_ERROR}.
 */
public final class JsonRpcErrors {
  /** The frame is not valid JSON. The error response has a null id. */
  public static final int PARSE_ERROR = -32700;

  /** The JSON is not a valid JSON-RPC 2.0 message. The error response has a null id. */
  public static final int INVALID_REQUEST = -32600;

  /** The method does not exist (the standard code; Patches sends {@link #SERVER_ERROR}). */
  public static final int METHOD_NOT_FOUND = -32601;

  /** The parameters are not valid for the method. */
  public static final int INVALID_PARAMS = -32602;

  /** An internal JSON-RPC error. */
  public static final int INTERNAL_ERROR = -32603;

  /** A server error without a more precise code; Patches also uses it for an unknown method. */
  public static final int SERVER_ERROR = -32000;

  /** The lowest code of the range JSON-RPC reserves for protocol errors. */
  public static final int RESERVED_MIN = -32768;

  /** The highest code of the range JSON-RPC reserves for protocol errors. */
  public static final int RESERVED_MAX = -32000;

  private JsonRpcErrors() {}

  /** Returns whether {@code code} lies in the range JSON-RPC reserves for protocol errors. */
  public static boolean isProtocolCode(int code) {
    return code >= RESERVED_MIN && code <= RESERVED_MAX;
  }

  /** Returns the exception for a frame that is not valid JSON ({@code "Parse error"}). */
  public static PatchbayException parseError() {
    return new PatchbayException(PARSE_ERROR, "Parse error");
  }

  /**
   * Returns the exception for JSON that is not a valid message ({@code "Invalid Request"}).
   *
   * @param offendingId the message's {@code id} member as sent, if any; it travels as the error's
   *     {@code data}, as Patches does, because the error response itself must have a null id
   */
  public static PatchbayException invalidRequest(@Nullable JsonNode offendingId) {
    return new PatchbayException(INVALID_REQUEST, "Invalid Request", offendingId);
  }

  /** Returns the exception Patches answers an unknown method with. */
  public static PatchbayException unknownMethod(String method) {
    return new PatchbayException(SERVER_ERROR, "Unknown method '" + method + "'.");
  }
}
