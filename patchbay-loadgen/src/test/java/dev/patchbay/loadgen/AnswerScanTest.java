package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnswerScanTest {
  private static AnswerScan.Answer scan(String frame) {
    return AnswerScan.scan(frame.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void answer_givesIdAndNewestRevOfItsChanges() {
    String frame =
        "{\"jsonrpc\":\"2.0\",\"id\":17,\"result\":{\"changes\":["
            + "{\"id\":\"a\",\"baseRev\":40,\"rev\":41,\"ops\":[{\"op\":\"replace\",\"path\":\"/x\","
            + "\"value\":{\"rev\":999,\"s\":\"}]\\\"{[\"}}],\"createdAt\":1},"
            + "{\"rev\":43,\"id\":\"b\",\"ops\":[{\"op\":\"@txt\",\"path\":\"/body\",\"value\":"
            + "[{\"insert\":\"\\\\\"},{\"retain\":3}]}]},"
            + "{\"id\":\"c\",\"rev\":42,\"ops\":[]}]}}";
    assertThat(scan(frame)).isEqualTo(new AnswerScan.Answer(17, 43));
  }

  @Test
  void memberOrderAndWhitespace_doNotMatter() {
    String frame =
        "{ \"result\" : { \"docReloadRequired\" : false ,\n \"changes\" : [ { \"rev\" : 7 } ] } ,"
            + " \"id\" : 3 , \"jsonrpc\" : \"2.0\" }";
    assertThat(scan(frame)).isEqualTo(new AnswerScan.Answer(3, 7));
  }

  @Test
  void answerWithoutChanges_hasRevZero() {
    assertThat(scan("{\"id\":1,\"result\":{\"changes\":[]}}"))
        .isEqualTo(new AnswerScan.Answer(1, 0));
    assertThat(scan("{\"id\":1,\"result\":{}}")).isEqualTo(new AnswerScan.Answer(1, 0));
  }

  @Test
  void anythingButAPlainAnswer_isLeftToTheFullReader() {
    assertThat(scan("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":409,\"message\":\"m\"}}"))
        .isNull();
    assertThat(
            scan(
                "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"changes\":"
                    + "[{\"rev\":2}]}}"))
        .isNull();
    assertThat(scan("{\"id\":4,\"method\":\"commitChanges\",\"params\":[]}")).isNull();
    assertThat(scan("{\"result\":{\"changes\":[{\"rev\":2}]}}")).isNull(); // no id
    assertThat(scan("{\"id\":2.5,\"result\":{}}")).isNull();
    assertThat(scan("{\"id\":1,\"result\":{\"changes\":[{\"rev\":")).isNull(); // cut short
    assertThat(scan("[1,2]")).isNull();
    assertThat(scan("")).isNull();
  }

  @Test
  void committedNotification_givesNewestRev_othersMinusOne() {
    byte[] frame =
        ("{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d\","
                + "\"changes\":[{\"rev\":5,\"ops\":[{\"op\":\"replace\",\"path\":\"/k\","
                + "\"value\":{\"rev\":99}}]},{\"id\":\"x\",\"rev\":6}]}}")
            .getBytes(StandardCharsets.UTF_8);
    assertThat(AnswerScan.committedRev(frame)).isEqualTo(6);
    assertThat(
            AnswerScan.committedRev(
                "{\"method\":\"docDeleted\",\"params\":{\"docId\":\"d\"}}"
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);
    assertThat(
            AnswerScan.committedRev(
                "{\"id\":1,\"result\":{\"changes\":[{\"rev\":2}]}}"
                    .getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(-1);
  }
}
