package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AnswerScanTest {
  private static AnswerScan.Answer scan(String frame) {
    return AnswerScan.scan(frame.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void answer_givesIdAndRevOfItsLastChange() {
    String frame =
        "{\"jsonrpc\":\"2.0\",\"id\":17,\"result\":{\"changes\":["
            + "{\"id\":\"a\",\"baseRev\":40,\"rev\":41,\"ops\":[{\"op\":\"replace\",\"path\":\"/x\","
            + "\"value\":{\"rev\":999,\"s\":\"}]\\\"{[\"}}],\"createdAt\":1},"
            + "{\"rev\":43,\"id\":\"b\",\"ops\":[{\"op\":\"@txt\",\"path\":\"/body\",\"value\":"
            + "[{\"insert\":\"\\\\\"},{\"retain\":3}]}]},"
            + "{\"id\":\"c\",\"rev\":44,\"ops\":[]}]}}";
    assertThat(scan(frame)).isEqualTo(new AnswerScan.Answer(17, 44));
  }

  @Test
  void lastChange_readFromTheEnd_acrossTrickyStrings() {
    String frame =
        "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"changes\":[{\"rev\":1},"
            + "{\"id\":\"q\\\\\",\"rev\":2,\"ops\":[{\"op\":\"replace\",\"path\":\"/a\","
            + "\"value\":{\"rev\":77,\"s\":\"\\\\\\\"{[\\\"]}\",\"t\":[[{}]]}}]} ] }\n}";
    assertThat(scan(frame)).isEqualTo(new AnswerScan.Answer(9, 2));
  }

  @Test
  void aMemberAfterTheChanges_takesTheForwardWalk() {
    assertThat(
            scan(
                "{\"id\":1,\"result\":{\"changes\":[{\"rev\":3},{\"rev\":4}],"
                    + "\"docReloadRequired\":true}}"))
        .isEqualTo(new AnswerScan.Answer(1, 4));
    assertThat(scan("{\"id\":1,\"result\":{\"changes\":[{\"rev\":3},{\"rev\":4}]},\"x\":[]}"))
        .isNull(); // an unknown member at the top
  }

  /** Random changes with strings full of quotes, backslashes and brackets: both walks agree. */
  @Test
  void randomFrames_lastRevFound() {
    Random random = new Random(6);
    String alphabet = "ab\"\\{}[],: \u00e9\u4e2d";
    for (int round = 0; round < 2_000; round++) {
      int count = random.nextInt(6);
      long rev = 1 + random.nextInt(1_000);
      StringBuilder changes = new StringBuilder("[");
      for (int c = 0; c < count; c++) {
        StringBuilder text = new StringBuilder();
        for (int k = random.nextInt(12); k > 0; k--) {
          text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        String value = Json.write(Json.NODES.stringNode(text.toString()));
        changes
            .append(c == 0 ? "" : random.nextBoolean() ? "," : " ,\n")
            .append("{\"id\":")
            .append(value)
            .append(",\"rev\":")
            .append(rev + c)
            .append(",\"ops\":[{\"op\":\"replace\",\"path\":\"/k\",\"value\":{\"rev\":0,\"v\":[")
            .append(value)
            .append("]}}],\"t\":")
            .append(value)
            .append("}");
      }
      changes.append("]");
      long expected = count == 0 ? 0 : rev + count - 1;
      String tail = random.nextBoolean() ? "}}" : " }\n} ";
      assertThat(scan("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"changes\":" + changes + tail))
          .as("round %d", round)
          .isEqualTo(new AnswerScan.Answer(5, expected));
      assertThat(
              scan(
                  "{\"id\":5,\"result\":{\"changes\":"
                      + changes
                      + ",\"docReloadRequired\":false}}"))
          .isEqualTo(new AnswerScan.Answer(5, expected));
      byte[] note =
          ("{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d\","
                  + "\"changes\":"
                  + changes
                  + tail)
              .getBytes(StandardCharsets.UTF_8);
      assertThat(AnswerScan.committedRev(note)).isEqualTo(expected);
    }
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
