package dev.patchbay.core.rpc;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.rpc.JsonRpcMessage.ErrorResponse;
import dev.patchbay.core.rpc.JsonRpcMessage.Notification;
import dev.patchbay.core.rpc.JsonRpcMessage.Request;
import dev.patchbay.core.rpc.JsonRpcMessage.Response;
import java.io.ByteArrayOutputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * Reads and writes JSON-RPC 2.0 frames, one message per frame (Patches sends no batches).
 *
 * <p>{@code decode} never throws anything but a {@link PatchbayException} whose code is the
 * JSON-RPC error to answer with: {@link JsonRpcErrors#PARSE_ERROR} when the frame is not JSON,
 * {@link JsonRpcErrors#INVALID_REQUEST} when it is JSON but not a message (a batch array, a missing
 * or non-string method, a {@code jsonrpc} member other than {@code "2.0"}, an id that is neither a
 * string nor a number, a malformed response). Either way the answer has a null id; for an invalid
 * request the exception's {@link PatchbayException#data() data} holds the offending id, as Patches
 * sends it.
 *
 * <p>{@code encode} writes compact JSON straight from the message with a streaming generator, in
 * the member order Patches writes ({@code jsonrpc, id, method, params} / {@code result} / {@code
 * error}). A frame encoded once can be sent to any number of connections, which is how a broadcast
 * should be written. This class is stateless and thread-safe.
 */
public final class JsonRpcCodec {
  private static final String VERSION = "2.0";
  private static final Set<String> ANSWER_MEMBERS = Set.of("jsonrpc", "id", "result", "error");

  private JsonRpcCodec() {}

  /**
   * Reads one message from JSON text.
   *
   * @throws PatchbayException with a JSON-RPC code when the text is not a valid message
   */
  public static JsonRpcMessage decode(String text) {
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(text);
    } catch (RuntimeException e) {
      throw JsonRpcErrors.parseError();
    }
    return decodeTree(tree);
  }

  /**
   * Reads one message from UTF-8 JSON bytes.
   *
   * @throws PatchbayException with a JSON-RPC code when the bytes are not a valid message
   */
  public static JsonRpcMessage decode(byte[] utf8) {
    return decode(utf8, 0, utf8.length);
  }

  /**
   * Reads one message from a range of UTF-8 JSON bytes.
   *
   * @throws PatchbayException with a JSON-RPC code when the bytes are not a valid message
   * @throws IndexOutOfBoundsException when the range lies outside {@code utf8}
   */
  public static JsonRpcMessage decode(byte[] utf8, int offset, int length) {
    if (offset < 0 || length < 0 || offset > utf8.length - length) {
      throw new IndexOutOfBoundsException("Range outside the array");
    }
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(utf8, offset, length);
    } catch (RuntimeException e) {
      throw JsonRpcErrors.parseError();
    }
    return decodeTree(tree);
  }

  /**
   * Reads one message that a server receives: a request or a notification. An answer (a message
   * without a method) is an invalid request here, as the Patches server treats it.
   *
   * @throws PatchbayException with a JSON-RPC code when the text is not a valid call
   */
  public static JsonRpcMessage decodeCall(String text) {
    return requireCall(decode(text));
  }

  /**
   * Reads one message that a server receives from UTF-8 bytes; see {@link #decodeCall(String)}.
   *
   * @throws PatchbayException with a JSON-RPC code when the bytes are not a valid call
   */
  public static JsonRpcMessage decodeCall(byte[] utf8) {
    return requireCall(decode(utf8));
  }

  private static JsonRpcMessage requireCall(JsonRpcMessage message) {
    if (message instanceof Response) {
      throw JsonRpcErrors.invalidRequest(((Response) message).id().value());
    }
    if (message instanceof ErrorResponse) {
      RpcId id = ((ErrorResponse) message).id();
      throw JsonRpcErrors.invalidRequest(id == null ? null : id.value());
    }
    return message;
  }

  /**
   * Classifies an already parsed JSON value as a message.
   *
   * @param tree the parsed frame; {@code null} or a missing node (empty input) is a parse error
   * @throws PatchbayException with a JSON-RPC code when the value is not a valid message
   */
  public static JsonRpcMessage decodeTree(@Nullable JsonNode tree) {
    if (tree == null || tree.isMissingNode()) {
      throw JsonRpcErrors.parseError();
    }
    if (!tree.isObject()) {
      // Batches (arrays) are not part of the Patches protocol and get the same answer as any
      // other non-object.
      throw JsonRpcErrors.invalidRequest(null);
    }
    JsonNode id = tree.get("id");
    JsonNode offendingId = id == null || id.isNull() ? null : id;
    JsonNode version = tree.get("jsonrpc");
    if (version == null || !version.isString() || !VERSION.equals(version.stringValue())) {
      throw JsonRpcErrors.invalidRequest(offendingId);
    }
    JsonNode method = tree.get("method");
    if (method != null) {
      if (!method.isString()) {
        throw JsonRpcErrors.invalidRequest(offendingId);
      }
      JsonNode params = tree.get("params");
      if (id == null) {
        return new Notification(method.stringValue(), params);
      }
      if (!RpcId.isValid(id)) {
        throw JsonRpcErrors.invalidRequest(offendingId);
      }
      return new Request(new RpcId(id), method.stringValue(), arguments(params));
    }
    return decodeAnswer(tree, id, offendingId);
  }

  private static JsonRpcMessage decodeAnswer(
      JsonNode tree, @Nullable JsonNode id, @Nullable JsonNode offendingId) {
    // An answer has no other members; anything else (params, say) is a call without a method.
    for (String name : tree.propertyNames()) {
      if (!ANSWER_MEMBERS.contains(name)) {
        throw JsonRpcErrors.invalidRequest(offendingId);
      }
    }
    JsonNode result = tree.get("result");
    JsonNode error = tree.get("error");
    if (error == null) {
      if (id == null || !RpcId.isValid(id)) {
        throw JsonRpcErrors.invalidRequest(offendingId);
      }
      return new Response(new RpcId(id), result);
    }
    if (result != null || id == null || !(id.isNull() || RpcId.isValid(id)) || !error.isObject()) {
      throw JsonRpcErrors.invalidRequest(offendingId);
    }
    JsonNode code = error.get("code");
    JsonNode message = error.get("message");
    if (code == null || !isIntCode(code) || message == null || !message.isString()) {
      throw JsonRpcErrors.invalidRequest(offendingId);
    }
    return new ErrorResponse(
        id.isNull() ? null : new RpcId(id),
        (int) code.doubleValue(),
        message.stringValue(),
        error.get("data"));
  }

  // JavaScript has one number type, so 400.0 is the code 400.
  private static boolean isIntCode(JsonNode code) {
    if (!code.isNumber()) {
      return false;
    }
    if (code.isIntegralNumber()) {
      return code.canConvertToInt();
    }
    double d = code.doubleValue();
    return d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
  }

  // The Patches server spreads an array and passes anything else as the single argument.
  private static List<JsonNode> arguments(@Nullable JsonNode params) {
    if (params == null) {
      return List.of();
    }
    if (!params.isArray()) {
      return List.of(params);
    }
    List<JsonNode> args = new ArrayList<>(params.size());
    for (JsonNode arg : params) {
      args.add(arg);
    }
    return args;
  }

  /** Writes a message as compact JSON text. */
  public static String encode(JsonRpcMessage message) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator gen = Json.MAPPER.createGenerator(out)) {
      write(gen, message);
    }
    return out.toString();
  }

  /** Writes a message as compact UTF-8 JSON bytes. */
  public static byte[] encodeToBytes(JsonRpcMessage message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator gen = Json.MAPPER.createGenerator(out)) {
      write(gen, message);
    }
    return out.toByteArray();
  }

  /**
   * Writes a successful response whose result is already JSON text, spliced in without parsing it
   * again (the way a stored document state can be sent).
   *
   * @param rawResult valid JSON text; it is not checked
   */
  public static String encodeRawResult(RpcId id, String rawResult) {
    StringWriter out = new StringWriter(rawResult.length() + 48);
    try (JsonGenerator gen = Json.MAPPER.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringProperty("jsonrpc", VERSION);
      gen.writeName("id");
      gen.writeTree(id.value());
      gen.writeName("result");
      gen.writeRawValue(rawResult);
      gen.writeEndObject();
    }
    return out.toString();
  }

  private static void write(JsonGenerator gen, JsonRpcMessage message) {
    gen.writeStartObject();
    gen.writeStringProperty("jsonrpc", VERSION);
    if (message instanceof Request) {
      Request request = (Request) message;
      gen.writeName("id");
      gen.writeTree(request.id().value());
      gen.writeStringProperty("method", request.method());
      if (!request.params().isEmpty()) {
        gen.writeName("params");
        gen.writeStartArray();
        for (JsonNode param : request.params()) {
          gen.writeTree(param);
        }
        gen.writeEndArray();
      }
    } else if (message instanceof Notification) {
      Notification notification = (Notification) message;
      gen.writeStringProperty("method", notification.method());
      if (notification.params() != null) {
        gen.writeName("params");
        gen.writeTree(notification.params());
      }
    } else if (message instanceof Response) {
      Response response = (Response) message;
      gen.writeName("id");
      gen.writeTree(response.id().value());
      if (response.result() != null) {
        gen.writeName("result");
        gen.writeTree(response.result());
      }
    } else {
      ErrorResponse error = (ErrorResponse) message;
      gen.writeName("id");
      if (error.id() == null) {
        gen.writeNull();
      } else {
        gen.writeTree(error.id().value());
      }
      gen.writeName("error");
      gen.writeStartObject();
      gen.writeNumberProperty("code", error.code());
      gen.writeStringProperty("message", error.message());
      if (error.data() != null) {
        gen.writeName("data");
        gen.writeTree(error.data());
      }
      gen.writeEndObject();
    }
    gen.writeEndObject();
  }
}
