package dev.patchbay.core.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.rpc.JsonRpcMessage.ErrorResponse;
import dev.patchbay.core.rpc.JsonRpcMessage.Notification;
import dev.patchbay.core.rpc.JsonRpcMessage.Request;
import dev.patchbay.core.rpc.JsonRpcMessage.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class JsonRpcCodecProperties {
  private static final Set<Integer> DECODE_CODES =
      Set.of(JsonRpcErrors.PARSE_ERROR, JsonRpcErrors.INVALID_REQUEST);

  @Property(tries = 1000)
  void decode_randomBytes_returnsMessageOrThrowsJsonRpcError(@ForAll byte[] frame) {
    assertDecodesOrFailsCleanly(() -> JsonRpcCodec.decode(frame));
    assertDecodesOrFailsCleanly(() -> JsonRpcCodec.decodeCall(frame));
  }

  @Property(tries = 1000)
  void decode_randomText_returnsMessageOrThrowsJsonRpcError(@ForAll("jsonishText") String frame) {
    assertDecodesOrFailsCleanly(() -> JsonRpcCodec.decode(frame));
    assertDecodesOrFailsCleanly(() -> JsonRpcCodec.decode(frame.getBytes(StandardCharsets.UTF_8)));
  }

  @Property(tries = 1000)
  void decode_messageShapedJson_returnsMessageOrThrowsJsonRpcError(
      @ForAll("messageShapedJson") JsonNode frame) {
    String text = Json.write(frame);
    JsonRpcMessage message = assertDecodesOrFailsCleanly(() -> JsonRpcCodec.decode(text));
    if (message != null) {
      // Whatever decodes must encode and decode back to the same message.
      assertThat(JsonRpcCodec.decode(JsonRpcCodec.encode(message))).isEqualTo(message);
    }
  }

  @Property(tries = 1000)
  void encode_validMessage_decodesToTheSameMessage(@ForAll("messages") JsonRpcMessage message) {
    String text = JsonRpcCodec.encode(message);

    assertThat(JsonRpcCodec.decode(text)).isEqualTo(message);
    assertThat(JsonRpcCodec.encodeToBytes(message))
        .isEqualTo(text.getBytes(StandardCharsets.UTF_8));
  }

  private interface Decode {
    JsonRpcMessage run();
  }

  private static JsonRpcMessage assertDecodesOrFailsCleanly(Decode decode) {
    try {
      JsonRpcMessage message = decode.run();
      assertThat(message).isNotNull();
      return message;
    } catch (PatchbayException e) {
      assertThat(e.code()).isIn(DECODE_CODES);
      return null;
    }
  }

  @Provide
  Arbitrary<String> jsonishText() {
    Arbitrary<String> fragments =
        Arbitraries.of(
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            "\"jsonrpc\"",
            "\"2.0\"",
            "\"id\"",
            "1",
            "-0.5e3",
            "null",
            "true",
            "\"method\"",
            "\"params\"",
            "\"result\"",
            "\"error\"",
            "\"code\"",
            "\"message\"",
            " ",
            "\u0000",
            "\uD800",
            "\u00e9",
            "1e400",
            "NaN");
    Arbitrary<String> fromFragments = fragments.list().ofMaxSize(30).map(l -> String.join("", l));
    Arbitrary<String> mutated =
        messageShapedJson()
            .map(Json::write)
            .flatMap(
                text ->
                    Arbitraries.integers()
                        .between(0, text.length())
                        .map(cut -> text.substring(0, cut)));
    return Arbitraries.oneOf(fromFragments, mutated, Arbitraries.strings().ofMaxLength(40));
  }

  @Provide
  Arbitrary<JsonNode> messageShapedJson() {
    Arbitrary<JsonNode> version =
        Arbitraries.of(
            Json.NODES.stringNode("2.0"),
            Json.NODES.stringNode("2.0"),
            Json.NODES.stringNode("1.0"),
            Json.NODES.numberNode(2.0));
    Arbitrary<JsonNode> id =
        Arbitraries.oneOf(
            Arbitraries.longs().map(n -> (JsonNode) Json.NODES.numberNode(n)),
            Arbitraries.strings().ofMaxLength(5).map(s -> (JsonNode) Json.NODES.stringNode(s)),
            values(1));
    Arbitrary<JsonNode> method =
        Arbitraries.oneOf(
            Arbitraries.of("getDoc", "commitChanges", "").map(s -> Json.NODES.stringNode(s)),
            values(1));
    Arbitrary<JsonNode> error =
        Arbitraries.oneOf(
            Combinators.combine(
                    Arbitraries.oneOf(
                        Arbitraries.integers().map(n -> (JsonNode) Json.NODES.numberNode(n)),
                        values(0)),
                    Arbitraries.oneOf(
                        Arbitraries.strings()
                            .ofMaxLength(8)
                            .map(s -> (JsonNode) Json.NODES.stringNode(s)),
                        values(0)),
                    values(1).injectNull(0.5))
                .as(
                    (code, message, data) -> {
                      ObjectNode node = Json.object();
                      node.set("code", code);
                      node.set("message", message);
                      if (data != null) {
                        node.set("data", data);
                      }
                      return (JsonNode) node;
                    }),
            values(1));
    return Combinators.combine(
            version.injectNull(0.1),
            id.injectNull(0.3),
            method.injectNull(0.4),
            values(2).injectNull(0.4),
            values(1).injectNull(0.6),
            error.injectNull(0.7))
        .as(
            (v, i, m, params, result, err) -> {
              ObjectNode node = Json.object();
              putIfPresent(node, "jsonrpc", v);
              putIfPresent(node, "id", i);
              putIfPresent(node, "method", m);
              putIfPresent(node, "params", params);
              putIfPresent(node, "result", result);
              putIfPresent(node, "error", err);
              return node;
            });
  }

  private static void putIfPresent(ObjectNode node, String name, JsonNode value) {
    if (value != null) {
      node.set(name, value);
    }
  }

  @Provide
  Arbitrary<JsonRpcMessage> messages() {
    Arbitrary<RpcId> ids =
        Arbitraries.oneOf(
            Arbitraries.longs().map(RpcId::of),
            Arbitraries.strings().ofMaxLength(10).map(RpcId::of));
    Arbitrary<String> methods = Arbitraries.strings().ofMaxLength(12);
    Arbitrary<JsonRpcMessage> requests =
        Combinators.combine(ids, methods, values(2).list().ofMaxSize(3))
            .as((id, m, params) -> new Request(id, m, params));
    Arbitrary<JsonRpcMessage> notifications =
        Combinators.combine(methods, values(2).injectNull(0.2))
            .as((m, params) -> new Notification(m, params));
    Arbitrary<JsonRpcMessage> responses =
        Combinators.combine(ids, values(2).injectNull(0.2)).as((id, r) -> new Response(id, r));
    Arbitrary<JsonRpcMessage> errors =
        Combinators.combine(
                ids.injectNull(0.2),
                Arbitraries.integers(),
                Arbitraries.strings().ofMaxLength(10),
                values(1).injectNull(0.5))
            .as((id, code, message, data) -> new ErrorResponse(id, code, message, data));
    return Arbitraries.oneOf(requests, notifications, responses, errors);
  }

  /** Any JSON value up to {@code depth} levels of containers. */
  private static Arbitrary<JsonNode> values(int depth) {
    Arbitrary<JsonNode> scalars =
        Arbitraries.oneOf(
            Arbitraries.just(Json.NODES.nullNode()),
            Arbitraries.of(true, false).map(b -> (JsonNode) Json.NODES.booleanNode(b)),
            Arbitraries.integers().map(n -> (JsonNode) Json.NODES.numberNode(n)),
            Arbitraries.doubles()
                .between(-1e6, 1e6)
                .ofScale(3)
                .map(d -> (JsonNode) Json.NODES.numberNode(d.doubleValue())),
            Arbitraries.strings().ofMaxLength(6).map(s -> (JsonNode) Json.NODES.stringNode(s)));
    if (depth == 0) {
      return scalars;
    }
    Arbitrary<JsonNode> arrays =
        values(depth - 1)
            .list()
            .ofMaxSize(3)
            .map(
                (List<JsonNode> items) -> {
                  ArrayNode array = Json.array();
                  items.forEach(array::add);
                  return (JsonNode) array;
                });
    Arbitrary<JsonNode> objects =
        Arbitraries.maps(Arbitraries.strings().ofMaxLength(4), values(depth - 1))
            .ofMaxSize(3)
            .map(
                map -> {
                  ObjectNode object = Json.object();
                  map.forEach(object::set);
                  return (JsonNode) object;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, scalars),
        net.jqwik.api.Tuple.of(1, arrays),
        net.jqwik.api.Tuple.of(1, objects));
  }
}
