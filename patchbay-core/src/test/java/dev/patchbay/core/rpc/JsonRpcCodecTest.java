package dev.patchbay.core.rpc;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.rpc.JsonRpcMessage.ErrorResponse;
import dev.patchbay.core.rpc.JsonRpcMessage.Notification;
import dev.patchbay.core.rpc.JsonRpcMessage.Request;
import dev.patchbay.core.rpc.JsonRpcMessage.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class JsonRpcCodecTest {

  private static JsonNode json(String text) {
    return Json.parse(text);
  }

  private static PatchbayException decodeFailure(String frame) {
    try {
      JsonRpcMessage message = JsonRpcCodec.decode(frame);
      throw new AssertionError("decoded " + message + " from " + frame);
    } catch (PatchbayException e) {
      return e;
    }
  }

  // --- requests ---

  @Test
  void decode_requestWithPositionalParams_returnsRequest() {
    JsonRpcMessage message =
        JsonRpcCodec.decode(
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"commitChanges\","
                + "\"params\":[\"doc1\",[{\"id\":\"c1\",\"ops\":[]}],{\"force\":true}]}");

    assertThat(message).isInstanceOf(Request.class);
    Request request = (Request) message;
    assertThat(request.id()).isEqualTo(RpcId.of(2));
    assertThat(request.method()).isEqualTo("commitChanges");
    assertThat(request.params())
        .containsExactly(
            json("\"doc1\""), json("[{\"id\":\"c1\",\"ops\":[]}]"), json("{\"force\":true}"));
    assertThat(request.param(0).stringValue()).isEqualTo("doc1");
    assertThat(request.param(3)).isNull();
  }

  @Test
  void decode_requestWithObjectParams_passesThemAsOneArgument() {
    Request request =
        (Request)
            JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":{\"ids\":[\"a\"]}}");

    assertThat(request.params()).containsExactly(json("{\"ids\":[\"a\"]}"));
  }

  @Test
  void decode_requestWithScalarParams_passesThemAsOneArgument() {
    Request request =
        (Request)
            JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getDoc\",\"params\":\"doc1\"}");

    assertThat(request.params()).containsExactly(json("\"doc1\""));
  }

  @Test
  void decode_requestWithoutParams_hasNoArguments() {
    Request request =
        (Request) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"listDocs\"}");

    assertThat(request.params()).isEmpty();
  }

  @Test
  void decode_requestWithStringId_keepsTheString() {
    Request request =
        (Request) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"m\"}");

    assertThat(request.id()).isEqualTo(RpcId.of("a-1"));
    assertThat(request.id().isString()).isTrue();
  }

  @Test
  void decode_requestWithIntegralFloatId_equalsTheIntegerId() {
    Request request =
        (Request) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":3.0,\"method\":\"m\"}");

    assertThat(request.id()).isEqualTo(RpcId.of(3));
    assertThat(JsonRpcCodec.encode(Response.noResult(request.id())))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3}");
  }

  @Test
  void decode_requestWithFractionalId_echoesItBack() {
    Request request =
        (Request) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"m\"}");

    assertThat(JsonRpcCodec.encode(new Response(request.id(), json("true"))))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"result\":true}");
  }

  @Test
  void decode_membersInAnyOrder_returnsTheSameRequest() {
    JsonRpcMessage message =
        JsonRpcCodec.decode("{\"params\":[1],\"method\":\"m\",\"id\":4,\"jsonrpc\":\"2.0\"}");

    assertThat(message).isEqualTo(Request.of(4, "m", json("1")));
  }

  // --- notifications ---

  @Test
  void decode_notification_returnsNotificationWithObjectParams() {
    JsonRpcMessage message =
        JsonRpcCodec.decode(
            "{\"jsonrpc\":\"2.0\",\"method\":\"docDeleted\",\"params\":{\"docId\":\"doc1\"}}");

    assertThat(message).isEqualTo(new Notification("docDeleted", json("{\"docId\":\"doc1\"}")));
  }

  @Test
  void decode_notificationWithoutParams_hasNoParams() {
    Notification notification =
        (Notification) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}");

    assertThat(notification.params()).isNull();
  }

  // --- responses ---

  @Test
  void decode_responseWithResult_returnsResponse() {
    JsonRpcMessage message =
        JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[\"doc1\"]}");

    assertThat(message).isEqualTo(new Response(RpcId.of(1), json("[\"doc1\"]")));
  }

  @Test
  void decode_responseWithoutResult_hasNoResult() {
    Response response = (Response) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":9}");

    assertThat(response.hasResult()).isFalse();
    assertThat(response.result()).isNull();
  }

  @Test
  void decode_responseWithNullResult_keepsJsonNull() {
    Response response =
        (Response) JsonRpcCodec.decode("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":null}");

    assertThat(response.hasResult()).isTrue();
    assertThat(response.result().isNull()).isTrue();
  }

  @Test
  void decode_errorResponse_returnsCodeMessageAndData() {
    JsonRpcMessage message =
        JsonRpcCodec.decode(
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":409,\"message\":\"stale\","
                + "\"data\":{\"scope\":\"doc\"}}}");

    assertThat(message)
        .isEqualTo(new ErrorResponse(RpcId.of(3), 409, "stale", json("{\"scope\":\"doc\"}")));
  }

  @Test
  void decode_errorResponseWithNullId_hasNoId() {
    ErrorResponse error =
        (ErrorResponse)
            JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse"
                    + " error\"}}");

    assertThat(error.id()).isNull();
    assertThat(error.code()).isEqualTo(JsonRpcErrors.PARSE_ERROR);
    assertThat(error.data()).isNull();
  }

  @Test
  void decode_errorCodeWrittenAsFloat_readsAsInteger() {
    ErrorResponse error =
        (ErrorResponse)
            JsonRpcCodec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":404.0,\"message\":\"nf\"}}");

    assertThat(error.code()).isEqualTo(404);
  }

  // --- malformed input ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "{",
        "nope",
        "{\"jsonrpc\":\"2.0\",}",
        "{'jsonrpc':'2.0'}",
        "[1,2",
        "{\"a\":NaN}",
        "\"unterminated",
        "{} {}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\"} trailing"
      })
  void decode_notJson_throwsParseError(String frame) {
    PatchbayException e = decodeFailure(frame);

    assertThat(e.code()).isEqualTo(JsonRpcErrors.PARSE_ERROR);
    assertThat(e.getMessage()).isEqualTo("Parse error");
    assertThat(e.data()).isNull();
  }

  @Test
  void decode_invalidUtf8Bytes_throwsParseError() {
    byte[] frame = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    assertThatThrownBy(() -> JsonRpcCodec.decode(frame))
        .isInstanceOfSatisfying(
            PatchbayException.class,
            e -> assertThat(e.code()).isEqualTo(JsonRpcErrors.PARSE_ERROR));
  }

  @Test
  void decode_deeplyNestedJson_throwsParseErrorNotStackOverflow() {
    String frame = "[".repeat(100_000) + "]".repeat(100_000);

    assertThat(decodeFailure(frame).code()).isEqualTo(JsonRpcErrors.PARSE_ERROR);
  }

  @Test
  void decode_batchArray_throwsInvalidRequest() {
    PatchbayException e =
        decodeFailure(
            "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
                + "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"b\"}]");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertThat(e.getMessage()).isEqualTo("Invalid Request");
    assertThat(e.data()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "\"text\"", "null", "true", "[]"})
  void decode_nonObjectJson_throwsInvalidRequest(String frame) {
    assertThat(decodeFailure(frame).code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
  }

  @Test
  void decode_missingMethod_throwsInvalidRequestWithTheOffendingId() {
    PatchbayException e = decodeFailure("{\"jsonrpc\":\"2.0\",\"id\":5,\"params\":[]}");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertJsonEquals(json("5"), e.data());
  }

  @Test
  void decode_answerWithUnknownMembers_throwsInvalidRequest() {
    PatchbayException e = decodeFailure("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":1,\"x\":2}");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
  }

  @Test
  void decodeCall_request_returnsIt() {
    JsonRpcMessage message =
        JsonRpcCodec.decodeCall(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getDoc\",\"params\":[\"d\"]}");

    assertThat(message).isEqualTo(Request.of(1, "getDoc", json("\"d\"")));
  }

  @Test
  void decodeCall_notification_returnsIt() {
    JsonRpcMessage message =
        JsonRpcCodec.decodeCall(
            "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8));

    assertThat(message).isEqualTo(new Notification("ping", null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":5}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":1,\"message\":\"m\"}}"
      })
  void decodeCall_answerWithoutMethod_throwsInvalidRequestWithTheId(String frame) {
    assertThatThrownBy(() -> JsonRpcCodec.decodeCall(frame))
        .isInstanceOfSatisfying(
            PatchbayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
              assertJsonEquals(json("5"), e.data());
            });
  }

  @Test
  void decodeCall_errorAnswerWithNullId_throwsInvalidRequestWithoutData() {
    assertThatThrownBy(
            () ->
                JsonRpcCodec.decodeCall(
                    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":1,\"message\":\"m\"}}"))
        .isInstanceOfSatisfying(
            PatchbayException.class,
            e -> {
              assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
              assertThat(e.data()).isNull();
            });
  }

  @Test
  void decode_emptyObject_throwsInvalidRequestWithoutData() {
    PatchbayException e = decodeFailure("{}");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertThat(e.data()).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"id\":1,\"method\":\"m\"}",
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"m\"}",
        "{\"jsonrpc\":2.0,\"id\":1,\"method\":\"m\"}",
        "{\"jsonrpc\":null,\"id\":1,\"method\":\"m\"}",
        "{\"jsonrpc\":\"2.0 \",\"id\":1,\"method\":\"m\"}",
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"result\":1}"
      })
  void decode_wrongProtocolVersion_throwsInvalidRequest(String frame) {
    PatchbayException e = decodeFailure(frame);

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertJsonEquals(json("1"), e.data());
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "[1]", "true", "false"})
  void decode_requestIdOfWrongType_throwsInvalidRequestCarryingIt(String id) {
    PatchbayException e = decodeFailure("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"m\"}");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertJsonEquals(json(id), e.data());
  }

  @Test
  void decode_requestWithNullId_throwsInvalidRequest() {
    PatchbayException e = decodeFailure("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"m\"}");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertThat(e.data()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "null", "{}", "[\"m\"]", "true"})
  void decode_nonStringMethod_throwsInvalidRequest(String method) {
    PatchbayException e = decodeFailure("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":" + method + "}");

    assertThat(e.code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
    assertJsonEquals(json("2"), e.data());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":1,\"error\":{\"code\":1,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":\"boom\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":null}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"no code\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":\"400\",\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1.5,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1e12,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":400}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":400,\"message\":7}}",
        "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":400,\"message\":\"no id\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":{},\"error\":{\"code\":400,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":1}",
        "{\"jsonrpc\":\"2.0\",\"result\":1}",
        "{\"jsonrpc\":\"2.0\",\"id\":true,\"result\":1}"
      })
  void decode_malformedResponse_throwsInvalidRequest(String frame) {
    assertThat(decodeFailure(frame).code()).isEqualTo(JsonRpcErrors.INVALID_REQUEST);
  }

  @Test
  void decode_byteRange_readsOnlyThatRange() {
    byte[] frame =
        "xx{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":2}yy".getBytes(StandardCharsets.UTF_8);

    JsonRpcMessage message = JsonRpcCodec.decode(frame, 2, frame.length - 4);

    assertThat(message).isEqualTo(new Response(RpcId.of(1), json("2")));
  }

  @Test
  void decode_byteRangeOutsideTheArray_throwsIndexOutOfBounds() {
    assertThatThrownBy(() -> JsonRpcCodec.decode(new byte[4], 2, 3))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void decodeTree_missingNode_throwsParseError() {
    assertThatThrownBy(() -> JsonRpcCodec.decodeTree(Json.NODES.missingNode()))
        .isInstanceOfSatisfying(
            PatchbayException.class,
            e -> assertThat(e.code()).isEqualTo(JsonRpcErrors.PARSE_ERROR));
  }

  // --- encoding ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subscribe\",\"params\":[[\"doc1\"]]}",
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"getChangesSince\",\"params\":[\"doc1\",2]}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"listDocs\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[\"doc1\"]}",
        "{\"jsonrpc\":\"2.0\",\"id\":4}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":null}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"doc1\","
            + "\"changes\":[{\"id\":\"X\",\"baseRev\":1,\"rev\":3,\"ops\":[{\"op\":\"@inc\","
            + "\"path\":\"/count\",\"value\":2}]}]}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"Invalid"
            + " Request\",\"data\":5}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":410,\"message\":\"Document"
            + " deleted\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":{\"code\":413,\"message\":\"too large\","
            + "\"data\":{\"scope\":\"change\",\"changeId\":\"c1\"}}}"
      })
  void encode_decodedCanonicalFrame_givesTheSameText(String frame) {
    JsonRpcMessage message = JsonRpcCodec.decode(frame);

    assertThat(JsonRpcCodec.encode(message)).isEqualTo(frame);
    assertThat(JsonRpcCodec.encodeToBytes(message))
        .isEqualTo(frame.getBytes(StandardCharsets.UTF_8));
    assertThat(JsonRpcCodec.decode(JsonRpcCodec.encodeToBytes(message))).isEqualTo(message);
  }

  @Test
  void encode_requestWithoutArguments_omitsParams() {
    assertThat(JsonRpcCodec.encode(new Request(RpcId.of(3), "m", List.of())))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"m\"}");
  }

  @Test
  void encode_responseWithoutResult_differsFromNullResult() {
    assertThat(JsonRpcCodec.encode(Response.noResult(RpcId.of(8))))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":8}");
    assertThat(JsonRpcCodec.encode(new Response(RpcId.of(8), Json.NODES.nullNode())))
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":null}");
  }

  @Test
  void encode_nonAsciiText_writesUtf8() {
    Notification notification =
        new Notification("signal", json("{\"text\":\"h\u00e9llo \u2603 \uD83D\uDE00\"}"));

    byte[] bytes = JsonRpcCodec.encodeToBytes(notification);

    assertThat(new String(bytes, StandardCharsets.UTF_8))
        .isEqualTo(JsonRpcCodec.encode(notification));
    assertThat(JsonRpcCodec.decode(bytes)).isEqualTo(notification);
  }

  @Test
  void encodeRawResult_splicesTheResultVerbatim() {
    String frame =
        JsonRpcCodec.encodeRawResult(RpcId.of(2), "{\"state\":{\"a\":1},\"rev\":2,\"changes\":[]}");

    assertThat(frame)
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"state\":{\"a\":1},\"rev\":2,"
                + "\"changes\":[]}}");
    assertThat(JsonRpcCodec.decode(frame))
        .isEqualTo(
            new Response(RpcId.of(2), json("{\"state\":{\"a\":1},\"rev\":2,\"changes\":[]}")));
  }

  @Test
  void errorResponseOf_exception_carriesCodeMessageAndData() {
    PatchbayException error =
        new PatchbayException(409, "Stale base revision", json("{\"scope\":\"doc\"}"));

    ErrorResponse response = ErrorResponse.of(RpcId.of(6), error);

    assertThat(JsonRpcCodec.encode(response))
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"id\":6,\"error\":{\"code\":409,\"message\":\"Stale base"
                + " revision\",\"data\":{\"scope\":\"doc\"}}}");
    PatchbayException back = response.toException();
    assertThat(back.code()).isEqualTo(409);
    assertThat(back.data()).isEqualTo(json("{\"scope\":\"doc\"}"));
  }

  @Test
  void errorResponseOf_decodeFailure_answersWithNullId() {
    PatchbayException failure = decodeFailure("{\"jsonrpc\":\"2.0\",\"id\":11}x");

    ErrorResponse response = ErrorResponse.of(null, failure);

    assertThat(JsonRpcCodec.encode(response))
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse"
                + " error\"}}");
  }

  @Test
  void unknownMethod_usesThePatchesServerErrorCode() {
    PatchbayException e = JsonRpcErrors.unknownMethod("fooBar");

    assertThat(e.code()).isEqualTo(-32000);
    assertThat(e.getMessage()).isEqualTo("Unknown method 'fooBar'.");
    assertThat(JsonRpcErrors.isProtocolCode(e.code())).isTrue();
    assertThat(JsonRpcErrors.isProtocolCode(400)).isFalse();
  }

  @Test
  void rpcId_ofNonScalar_isRejected() {
    assertThatThrownBy(() -> new RpcId(json("{}"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RpcId(Json.NODES.numberNode(Double.NaN)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
