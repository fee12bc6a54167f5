package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SkimTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void read_notification_keepsWhatWorkloadsReadAndDropsStampsAndDeltas() {
    String frame =
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d\",\"changes\":"
            + "[{\"id\":\"x\",\"baseRev\":3,\"rev\":4,\"ops\":[{\"op\":\"@txt\",\"path\":\"/body\","
            + "\"value\":[{\"insert\":\"é\"}]},{\"op\":\"replace\",\"path\":\"/c1\",\"value\":{\"s\":7,"
            + "\"t\":12345678901234}},{\"op\":\"replace\",\"path\":\"/k\",\"value\":2.5}],"
            + "\"createdAt\":1,\"committedAt\":2,\"clientId\":\"c9\",\"batchId\":\"b\"}]}}";
    assertThat(Skim.read(utf8(frame)))
        .isEqualTo(
            Json.parse(
                "{\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d\",\"changes\":"
                    + "[{\"id\":\"x\",\"rev\":4,\"ops\":[{\"op\":\"@txt\",\"path\":\"/body\"},"
                    + "{\"op\":\"replace\",\"path\":\"/c1\",\"value\":{\"s\":7,\"t\":12345678901234}},"
                    + "{\"op\":\"replace\",\"path\":\"/k\",\"value\":2.5}]}]}}"));
  }

  @Test
  void read_errorAnswerAndDocument_areReadWhole() {
    String error =
        "{\"id\":3,\"error\":{\"code\":409,\"message\":\"m\",\"data\":{\"scope\":\"doc\",\"a\":[1,null,true,false]}}}";
    assertThat(Skim.read(utf8(error))).isEqualTo(Json.parse(error));
    String doc =
        "{\"id\":1,\"result\":{\"state\":{\"value\":[1,2],\"k\":{}},\"rev\":9,\"changes\":[]}}";
    assertThat(Skim.read(utf8(doc))).isEqualTo(Json.parse(doc));
  }

  @Test
  void read_answer_dropsTheOpsOfItsChangesOnly() {
    String answer =
        "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"changes\":[{\"id\":\"a\",\"rev\":7,"
            + "\"ops\":[{\"op\":\"replace\",\"path\":\"/k\",\"value\":1}]}],"
            + "\"state\":{\"ops\":[1],\"changes\":[{\"ops\":[2]}]}}}";
    assertThat(Skim.read(utf8(answer)))
        .isEqualTo(
            Json.parse(
                "{\"id\":5,\"result\":{\"changes\":[{\"id\":\"a\",\"rev\":7}],"
                    + "\"state\":{\"ops\":[1],\"changes\":[{\"ops\":[2]}]}}}"));
  }

  @Test
  void read_malformed_throws() {
    assertThatThrownBy(() -> Skim.read(utf8("{\"a\":"))).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> Skim.read(utf8(""))).isInstanceOf(RuntimeException.class);
  }
}
