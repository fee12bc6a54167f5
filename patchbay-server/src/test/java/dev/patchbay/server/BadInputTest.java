package dev.patchbay.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Hostile and broken input: every bad frame gets a clear error (or the connection a close with a
 * reason), nothing it names changes, and the server keeps serving other clients.
 */
class BadInputTest {
  private static final int MAX_FRAME = 64 * 1024;
  private PatchbayServer server;
  private URI uri;

  @BeforeEach
  void start() {
    ServerConfig config =
        ServerConfig.builder()
            .port(0)
            .store("memory")
            .shards(2)
            .maxFrameBytes(MAX_FRAME)
            .maxChangeBytes(4096)
            .maxDocBytes(20_000)
            // Thousands of frames back to back: the rate limit is LimitsTest's subject, not this.
            .messagesPerSecond(1_000_000)
            .messageBurst(1_000_000)
            .build();
    server = PatchbayServer.start(config, DocStores.inMemory());
    uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void hundredThousandGeneratedBadFrames_eachAnsweredWithAnErrorAndNothingChanges()
      throws Exception {
    try (TestClient good = new TestClient(uri);
        TestClient fuzz = new TestClient(uri)) {
      good.result(
          "commitChanges",
          Json.NODES.stringNode("kept"),
          Json.parse("[{\"id\":\"k1\",\"ops\":[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]}]"));
      SplittableRandom random = new SplittableRandom(20261121);
      int frames = 100_000;
      for (int i = 1; i <= frames; i++) {
        fuzz.send(badFrame(random, i));
      }
      // Every frame gets exactly one error answer: with its id when the id could be read, with a
      // null id (-32700 / -32600) when the frame could not be read as a request at all.
      Set<Long> answeredIds = new HashSet<>();
      int answers = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (answers < frames && System.nanoTime() < deadline) {
        JsonNode frame = fuzz.unmatched.poll(5, TimeUnit.SECONDS);
        if (frame == null) {
          break;
        }
        answers++;
        assertThat(frame.has("error")).as("answer to a bad frame: %s", frame).isTrue();
        String text = frame.toString();
        assertThat(text)
            .doesNotContain("Exception")
            .doesNotContain("dev.patchbay")
            .doesNotContain("\tat ");
        JsonNode id = frame.get("id");
        if (id != null && !id.isNull()) {
          assertThat(id.longValue()).isBetween(1L, (long) frames);
          assertThat(answeredIds.add(id.longValue())).as("one answer per id").isTrue();
        }
      }
      assertThat(answers).isEqualTo(frames);
      assertThat(answeredIds.size()).as("frames answered by id").isGreaterThan(frames / 2);
      assertThat(fuzz.closed).isNotDone();

      // Nothing the bad frames named changed, and the server still serves everyone.
      assertThat(
              good.result(
                  "getChangesSince", Json.NODES.stringNode("fuzz"), Json.NODES.numberNode(0)))
          .isEmpty();
      assertThat(
              good.result(
                  "getChangesSince", Json.NODES.stringNode("kept"), Json.NODES.numberNode(0)))
          .hasSize(1);
      assertThat(
              fuzz.result(
                  "getChangesSince", Json.NODES.stringNode("kept"), Json.NODES.numberNode(0)))
          .hasSize(1);
    }
  }

  @Test
  void oversizedFrame_closesWith1009AndOthersKeepWorking() {
    try (TestClient good = new TestClient(uri);
        TestClient big = new TestClient(uri)) {
      big.send(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getDoc\",\"params\":[\""
              + "x".repeat(MAX_FRAME + 10)
              + "\"]}");
      String closed = big.closed.orTimeout(20, TimeUnit.SECONDS).join();
      assertThat(closed).startsWith("1009");
      assertThat(
              good.result(
                  "getChangesSince", Json.NODES.stringNode("any"), Json.NODES.numberNode(0)))
          .isEmpty();
    }
  }

  @Test
  void changeOverTheStorageLimit_answers413NamingTheChange() {
    try (TestClient c = new TestClient(uri)) {
      String big = "y".repeat(5000);
      JsonNode answer =
          c.call(
              "commitChanges",
              Json.NODES.stringNode("big"),
              Json.parse(
                  "[{\"id\":\"huge\",\"ops\":[{\"op\":\"add\",\"path\":\"/a\",\"value\":\""
                      + big
                      + "\"}]}]"));
      assertThat(answer.get("error").get("code").asInt()).isEqualTo(413);
      assertThat(answer.get("error").get("data"))
          .isEqualTo(Json.parse("{\"changeId\":\"huge\",\"scope\":\"change\"}"));
      assertThat(
              c.result("getChangesSince", Json.NODES.stringNode("big"), Json.NODES.numberNode(0)))
          .isEmpty();
    }
  }

  @Test
  void commitsPastTheDocumentLimit_answer413ForTheDocument() {
    try (TestClient c = new TestClient(uri)) {
      String chunk = "z".repeat(3000);
      int committed = 0;
      JsonNode answer = null;
      for (int i = 0; i < 20; i++) {
        answer =
            c.call(
                "commitChanges",
                Json.NODES.stringNode("grows"),
                Json.parse(
                    "[{\"id\":\"g"
                        + i
                        + "\",\"ops\":[{\"op\":\"add\",\"path\":\"/k"
                        + i
                        + "\",\"value\":\""
                        + chunk
                        + "\"}]}]"));
        if (answer.has("error")) {
          break;
        }
        committed++;
      }
      assertThat(committed).isBetween(5, 7); // 20,000 characters hold six of these changes
      assertThat(answer.get("error").get("code").asInt()).isEqualTo(413);
      assertThat(answer.get("error").get("data")).isEqualTo(Json.parse("{\"scope\":\"doc\"}"));
      assertThat(
              c.result("getChangesSince", Json.NODES.stringNode("grows"), Json.NODES.numberNode(0)))
          .hasSize(committed);
    }
  }

  /** A frame that is wrong in one of many ways; none of them may commit anything. */
  private static String badFrame(SplittableRandom random, int id) {
    String head = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",";
    switch (random.nextInt(20)) {
      case 14:
        {
          // every method, with parameters of the wrong shape
          String[] methods = {
            "subscribe",
            "unsubscribe",
            "getDoc",
            "getChangesSince",
            "commitChanges",
            "deleteDoc",
            "undeleteDoc",
            "listVersions",
            "createVersion",
            "updateVersion",
            "getVersionState",
            "getVersionChanges",
            "getStateBeforeVersion"
          };
          String[] junk = {"[]", "[null]", "[1]", "[true,{}]", "[{}]", "[\"\",\"\"]"};
          return head
              + "\"method\":\""
              + methods[random.nextInt(methods.length)]
              + "\",\"params\":"
              + junk[random.nextInt(junk.length)]
              + "}";
        }
      case 15:
        {
          // deeply nested JSON inside an op value: beyond the parser's nesting limit
          int depth = 2_000 + random.nextInt(2_000);
          return head
              + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"n"
              + id
              + "\",\"ops\":[{\"op\":\"add\",\"path\":\"/a\",\"value\":"
              + "[".repeat(depth)
              + "]".repeat(depth)
              + "}]}]]}";
        }
      case 16:
        // a huge revision
        return head
            + "\"method\":\"getChangesSince\",\"params\":[\"fuzz\","
            + (random.nextBoolean() ? "1e400" : "123456789012345678901234567890")
            + "]}";
      case 17:
        // a number too long for the parser
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"h"
            + id
            + "\",\"ops\":[{\"op\":\"@inc\",\"path\":\"/a\",\"value\":"
            + "9".repeat(5_000)
            + "}]}]]}";
      case 18:
        // a huge baseRev on a real change: the document is not that far
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"b"
            + id
            + "\",\"baseRev\":1e300,\"ops\":[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]}]]}";
      case 19:
        {
          // a valid frame with one character flipped
          String valid =
              head
                  + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"m"
                  + id
                  + "\",\"ops\":[{\"op\":\"frob\",\"path\":\"/a\",\"value\":1}]}]]}";
          char[] chars = valid.toCharArray();
          int at = head.length() + random.nextInt(chars.length - head.length());
          chars[at] = (char) (32 + random.nextInt(95));
          return new String(chars);
        }
      case 0:
        {
          char[] chars = new char[1 + random.nextInt(40)];
          for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) (32 + random.nextInt(95));
          }
          String s = new String(chars);
          return s.startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",")
              ? "{"
              : s.replace("\"id\":" + id + ",", "");
        }
      case 1:
        return "[" + id + ",2,3]";
      case 2:
        return "{\"jsonrpc\":\"2.0\",\"method\":7}";
      case 3:
        return head + "\"method\":\"no" + random.nextInt(1000) + "\",\"params\":[]}";
      case 4:
        return head + "\"method\":\"commitChanges\",\"params\":[42,[]]}";
      case 5:
        return head + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",{\"id\":\"x\"}]}";
      case 6:
        return head + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"ops\":[]}]]}";
      case 7:
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"p"
            + id
            + "\",\"ops\":[{\"op\":\"add\",\"path\":\"a/b\",\"value\":1}]}]]}";
      case 8:
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"p"
            + id
            + "\",\"ops\":[{\"op\":\"frob\",\"path\":\"/a\",\"value\":1}]}]]}";
      case 9:
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"p"
            + id
            + "\",\"ops\":[{\"op\":\"move\",\"path\":\"/a\"}]}]]}";
      case 10:
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"p"
            + id
            + "\",\"baseRev\":\"one\",\"ops\":[]}]]}";
      case 11:
        return head
            + "\"method\":\"commitChanges\",\"params\":[\"fuzz\",[{\"id\":\"p"
            + id
            + "\",\"baseRev\":99,\"ops\":[{\"op\":\"add\",\"path\":\"/a\",\"value\":1}]}]]}";
      case 12:
        return head + "\"method\":\"getChangesSince\",\"params\":[\"fuzz\",-4]}";
      default:
        return head + "\"method\":\"getDoc\",\"params\":[\"\"]}";
    }
  }
}
