package dev.patchbay.core;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The one unchecked exception root of Patchbay. Its {@link #code()} maps to the wire: a positive
 * value is an HTTP-like status (400, 403, 404, 409, 410, 413, …) that the JSON-RPC dialect sends as
 * the error code, a negative value is a JSON-RPC protocol error (-32700 … -32600). {@link #data()}
 * is sent verbatim as the error's {@code data} member, so it must never hold internal details.
 */
public class PatchbayException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final transient @Nullable JsonNode data;

  /** Creates an exception with a wire code, a client-safe message and optional wire data. */
  public PatchbayException(int code, String message, @Nullable JsonNode data) {
    super(message);
    this.code = code;
    this.data = data;
  }

  /** Creates an exception with a wire code and a client-safe message. */
  public PatchbayException(int code, String message) {
    this(code, message, (JsonNode) null);
  }

  /** Creates an exception with a wire code, a client-safe message and the internal cause. */
  public PatchbayException(int code, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
    this.data = null;
  }

  /** Returns the wire code: an HTTP-like status when positive, a JSON-RPC code when negative. */
  public int code() {
    return code;
  }

  /** Returns the wire data of this error, or {@code null} when it has none. */
  public @Nullable JsonNode data() {
    return data;
  }
}
