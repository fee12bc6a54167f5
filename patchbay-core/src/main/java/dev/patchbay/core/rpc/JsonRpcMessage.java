package dev.patchbay.core.rpc;

import dev.patchbay.core.PatchbayException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One JSON-RPC 2.0 message as the Patches dialect exchanges it: a {@link Request}, a {@link
 * Notification}, a {@link Response} or an {@link ErrorResponse}. {@link JsonRpcCodec} reads and
 * writes them.
 *
 * <p>All four are immutable records. The {@link JsonNode} values they hold are never mutated by
 * Patchbay and must not be mutated by callers, so messages can be shared between threads.
 */
public sealed interface JsonRpcMessage
    permits JsonRpcMessage.Request,
        JsonRpcMessage.Notification,
        JsonRpcMessage.Response,
        JsonRpcMessage.ErrorResponse {

  /**
   * A call that expects an answer. Patches sends positional parameters ({@code
   * "params":["doc1",[…]]}); a non-array {@code params} on the wire arrives here as one argument,
   * and an absent one as none, as the Patches server treats them.
   *
   * @param id the id the answer will carry
   * @param method the method name
   * @param params the positional arguments
   */
  record Request(RpcId id, String method, List<JsonNode> params) implements JsonRpcMessage {

    /** Validates the members and copies the arguments. */
    public Request {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(method, "method");
      params = List.copyOf(params);
    }

    /** Returns a request with a numeric id. */
    public static Request of(long id, String method, JsonNode... params) {
      return new Request(RpcId.of(id), method, Arrays.asList(params));
    }

    /** Returns the argument at {@code index}, or {@code null} when there are fewer arguments. */
    public @Nullable JsonNode param(int index) {
      return index >= 0 && index < params.size() ? params.get(index) : null;
    }
  }

  /**
   * A one-way message: no id, no answer. Server notifications ({@code changesCommitted}, {@code
   * docDeleted}, …) carry an object; a {@code null} {@code params} means the member is absent.
   *
   * @param method the notification name
   * @param params the parameters as sent, or {@code null} when absent
   */
  record Notification(String method, @Nullable JsonNode params) implements JsonRpcMessage {

    /** Validates the method name. */
    public Notification {
      Objects.requireNonNull(method, "method");
    }
  }

  /**
   * A successful answer. A {@code null} {@code result} means the response has <em>no</em> {@code
   * result} member at all, as Patches answers methods that return nothing ({@code deleteDoc}); a
   * JSON null result is a {@code NullNode}.
   *
   * @param id the id of the request this answers
   * @param result the result, or {@code null} for no result member
   */
  record Response(RpcId id, @Nullable JsonNode result) implements JsonRpcMessage {

    /** Validates the id. */
    public Response {
      Objects.requireNonNull(id, "id");
    }

    /** Returns a response without a {@code result} member. */
    public static Response noResult(RpcId id) {
      return new Response(id, null);
    }

    /** Returns whether the response has a {@code result} member. */
    public boolean hasResult() {
      return result != null;
    }
  }

  /**
   * A failed answer. The id is {@code null} when the request could not be read (parse error,
   * invalid request).
   *
   * @param id the id of the request this answers, or {@code null}
   * @param code the error code: a JSON-RPC code when negative, an HTTP-like status when positive
   * @param message a short description, safe to show a client
   * @param data extra wire data, or {@code null} when absent
   */
  record ErrorResponse(@Nullable RpcId id, int code, String message, @Nullable JsonNode data)
      implements JsonRpcMessage {

    /** Validates the message. */
    public ErrorResponse {
      Objects.requireNonNull(message, "message");
    }

    /**
     * Returns the answer that reports {@code error}: its code, message and data. The exception's
     * message and data must be client-safe, as {@link PatchbayException} requires.
     */
    public static ErrorResponse of(@Nullable RpcId id, PatchbayException error) {
      String message = error.getMessage();
      return new ErrorResponse(id, error.code(), message == null ? "" : message, error.data());
    }

    /** Returns this error as an exception with the same code, message and data. */
    public PatchbayException toException() {
      return new PatchbayException(code, message, data);
    }
  }
}
