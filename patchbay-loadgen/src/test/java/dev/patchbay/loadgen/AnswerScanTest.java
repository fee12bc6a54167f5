package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

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

  private static AnswerScan.Committed committed(String frame) {
    return AnswerScan.committed(frame.getBytes(StandardCharsets.UTF_8));
  }

  /** What the tree gives for a notification frame, the reference the scan must match. */
  private static AnswerScan.Committed fromTree(String frame) {
    JsonNode params = Json.MAPPER.readTree(frame).path("params");
    return AnswerScan.Committed.of(params.path("docId").asString(""), params.path("changes"));
  }

  @Test
  void committed_givesDocNewestRevAndStamps() {
    String frame =
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"d1\","
            + "\"changes\":[{\"id\":\"a\",\"rev\":8,\"ops\":[{\"op\":\"replace\",\"path\":\"/c3\","
            + "\"value\":{\"s\":4,\"t\":1200}},{\"op\":\"@txt\",\"path\":\"/x\",\"value\":"
            + "[{\"insert\":\"t\"}]},{\"op\":\"add\",\"path\":\"/y\",\"value\":{\"t\":7}}],"
            + "\"createdAt\":1},{\"rev\":6,\"ops\":[{\"op\":\"remove\",\"path\":\"/z\"}]}]}}";
    AnswerScan.Committed expected =
        new AnswerScan.Committed(
            "d1",
            8,
            List.of(new AnswerScan.Stamp("/c3", 4, 1200), new AnswerScan.Stamp("/y", 0, 7)));
    assertThat(committed(frame)).isEqualTo(expected).isEqualTo(fromTree(frame));
  }

  @Test
  void committed_leavesWhatItDoesNotReadToTheFullReader() {
    String head = "{\"method\":\"changesCommitted\",\"params\":{\"docId\":";
    assertThat(committed(head + "\"d\\u0031\",\"changes\":[]}}")).isNull(); // escaped id
    assertThat(
            committed(
                head
                    + "\"d\",\"changes\":[{\"rev\":1,\"ops\":[{\"path\":\"/a\\/b\","
                    + "\"value\":{\"t\":1}}]}]}}"))
        .isNull(); // escaped path
    assertThat(
            committed(
                head
                    + "\"d\",\"changes\":[{\"rev\":1,\"ops\":[{\"path\":\"/a\","
                    + "\"value\":{\"s\":-1,\"t\":1}}]}]}}"))
        .isNull();
    assertThat(
            committed(
                head
                    + "\"d\",\"changes\":[{\"rev\":1,\"ops\":[{\"path\":\"/a\","
                    + "\"value\":{\"t\":\"1\"}}]}]}}"))
        .isNull();
    assertThat(committed(head + "\"d\",\"changes\":[{\"rev\":1.5}]}}")).isNull();
    assertThat(committed("{\"method\":\"docDeleted\",\"params\":{\"docId\":\"d\"}}")).isNull();
    assertThat(committed("{\"id\":1,\"result\":{\"changes\":[{\"rev\":2}]}}")).isNull();
    assertThat(committed("{\"method\":\"changesCommitted\",\"params\":{\"changes\":[]}}"))
        .isNull(); // no document
    assertThat(committed(head + "\"d\",\"changes\":[{\"rev\":1,\"ops\":[")).isNull();
  }

  /**
   * Random notifications, members in any order, spacing, strings full of quotes, backslashes and
   * brackets, values of every kind: the scan reads what the tree reads.
   */
  @Test
  void randomNotifications_scanMatchesTheTree() {
    Random random = new Random(11);
    String alphabet = "ab\"\\{}[],: \u00e9\u4e2d";
    int scanned = 0;
    for (int round = 0; round < 3_000; round++) {
      List<String> changes = new ArrayList<>();
      for (int c = random.nextInt(4); c > 0; c--) {
        List<String> ops = new ArrayList<>();
        for (int o = random.nextInt(4); o > 0; o--) {
          List<String> members = new ArrayList<>();
          members.add("\"op\":" + quoted(random, alphabet));
          members.add("\"path\":\"/c" + random.nextInt(50) + "\"");
          String value =
              switch (random.nextInt(5)) {
                case 0 -> "[{\"insert\":" + quoted(random, alphabet) + "},{\"retain\":2}]";
                case 1 -> quoted(random, alphabet);
                case 2 -> "{\"t\":" + random.nextInt(1_000_000) + "}";
                default -> stampObject(random, alphabet);
              };
          members.add("\"value\":" + value);
          Collections.shuffle(members, random);
          ops.add("{" + String.join(spaced(random, ","), members) + "}");
        }
        List<String> members = new ArrayList<>();
        members.add("\"id\":" + quoted(random, alphabet));
        members.add("\"rev\":" + random.nextInt(10_000));
        members.add("\"baseRev\":" + random.nextInt(10_000));
        members.add("\"ops\":[" + String.join(spaced(random, ","), ops) + "]");
        members.add("\"committedAt\":" + random.nextLong(1L << 45));
        Collections.shuffle(members, random);
        changes.add("{" + String.join(spaced(random, ","), members) + "}");
      }
      List<String> params = new ArrayList<>();
      params.add("\"docId\":\"doc-" + random.nextInt(10) + "\"");
      params.add("\"changes\":[" + String.join(spaced(random, ","), changes) + "]");
      if (random.nextBoolean()) {
        params.add("\"extra\":{\"rev\":99,\"ops\":[" + quoted(random, alphabet) + "]}");
      }
      Collections.shuffle(params, random);
      List<String> top = new ArrayList<>();
      top.add("\"jsonrpc\":\"2.0\"");
      top.add("\"method\"" + spaced(random, ":") + "\"changesCommitted\"");
      top.add("\"params\":{" + String.join(spaced(random, ","), params) + "}");
      Collections.shuffle(top, random);
      String frame = "{" + String.join(spaced(random, ","), top) + "}";
      AnswerScan.Committed read = committed(frame);
      assertThat(read).as("round %d: %s", round, frame).isNotNull().isEqualTo(fromTree(frame));
      scanned += read.stamps().size();
    }
    assertThat(scanned).isGreaterThan(3_000);
  }

  private static String stampObject(Random random, String alphabet) {
    List<String> members = new ArrayList<>();
    if (random.nextInt(4) > 0) {
      members.add("\"s\":" + random.nextInt(1_000));
    }
    members.add("\"t\":" + random.nextLong(1L << 40));
    if (random.nextBoolean()) {
      members.add("\"x\":{\"t\":[" + quoted(random, alphabet) + "],\"s\":-5.5}");
    }
    Collections.shuffle(members, random);
    return "{" + String.join(spaced(random, ","), members) + "}";
  }

  private static String quoted(Random random, String alphabet) {
    StringBuilder text = new StringBuilder();
    for (int k = random.nextInt(8); k > 0; k--) {
      text.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return Json.write(Json.NODES.stringNode(text.toString()));
  }

  private static String spaced(Random random, String separator) {
    return random.nextInt(3) == 0 ? " " + separator + "\n " : separator;
  }
}
