package dev.patchbay.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * Replays the frames of shared/protocol/patches.md §2.5 over real sockets with the JDK WebSocket
 * client and checks the replies field by field.
 */
class PatchesProtocolEndToEndTest {
  private PatchbayServer server;
  private URI uri;

  @BeforeEach
  void start() {
    ServerConfig config =
        ServerConfig.builder().port(0).lwwPatterns(List.of("prefs*", "settings/*")).build();
    server = PatchbayServer.start(config, DocStores.inMemory());
    uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static JsonNode json(String text) {
    return Json.parse(text.replace('\'', '"'));
  }

  private static JsonNode str(String s) {
    return Json.NODES.stringNode(s);
  }

  private static JsonNode num(long n) {
    return Json.NODES.numberNode(n);
  }

  // Made "now", so the commit is an online one (an old createdAt marks an offline session).
  private static final long CREATED = System.currentTimeMillis();

  private static final String FIRST =
      "[{'id':'ExX30bK9F29V','baseRev':0,'rev':1,'ops':[{'op':'add','path':'/title','value':'Hello'},"
          + "{'op':'add','path':'/items','value':['x','y']},"
          + "{'op':'@txt','path':'/body','value':[{'insert':'hello world\\n'}]},"
          + "{'op':'@inc','path':'/count','value':5}],'createdAt':"
          + CREATED
          + ",'committedAt':0}]";

  @Test
  void subscribeAndFirstCommit_returnsCommittedChangeStamped() {
    try (TestClient c1 = new TestClient(uri)) {
      assertThat(c1.result("subscribe", json("['doc1']"))).isEqualTo(json("['doc1']"));
      JsonNode result = c1.result("commitChanges", str("doc1"), json(FIRST));
      JsonNode change = result.get("changes").get(0);
      assertThat(result.has("docReloadRequired")).isFalse();
      assertThat(change.get("id").stringValue()).isEqualTo("ExX30bK9F29V");
      assertThat(change.get("baseRev").asLong()).isZero();
      assertThat(change.get("rev").asLong()).isEqualTo(1);
      assertThat(change.get("createdAt").asLong()).isEqualTo(CREATED);
      assertThat(change.get("committedAt").asLong()).isPositive();
      assertThat(change.get("clientId").isString()).isTrue();
      assertThat(Json.equal(change.get("ops"), json(FIRST).get(0).get("ops"))).isTrue();
    }
  }

  @Test
  void secondClient_getDocWithoutVersions_returnsNullStateAndFullLog() {
    try (TestClient c1 = new TestClient(uri);
        TestClient c2 = new TestClient(uri)) {
      c1.result("commitChanges", str("doc1"), json(FIRST));
      JsonNode snapshot = c2.result("getDoc", str("doc1"));
      assertThat(snapshot.get("state").isNull()).isTrue();
      assertThat(snapshot.get("rev").asLong()).isZero();
      assertThat(snapshot.get("changes")).hasSize(1);
      assertThat(snapshot.get("changes").get(0).get("rev").asLong()).isEqualTo(1);
    }
  }

  @Test
  void concurrentEdit_transformsLaterCommitAndNotifiesOthersOnly() {
    try (TestClient c1 = new TestClient(uri);
        TestClient c2 = new TestClient(uri)) {
      c1.result("subscribe", json("['doc1']"));
      c2.result("subscribe", json("['doc1']"));
      c1.result("commitChanges", str("doc1"), json(FIRST));
      assertThat(c2.nextNotification().get("params").get("changes").get(0).get("rev").asLong())
          .isEqualTo(1);
      // A's change lands first as rev 2: text before position 5 and an item before index 1.
      c1.result(
          "commitChanges",
          str("doc1"),
          json(
              "[{'id':'Ve6toGKrDnsX','baseRev':1,'rev':2,'ops':[{'op':'@txt','path':'/body','value':[{'insert':'A'}]},"
                  + "{'op':'add','path':'/items/0','value':'w'}],'createdAt':1795300829000,'committedAt':0}]"));
      c2.nextNotification();
      JsonNode result =
          c2.result(
              "commitChanges",
              str("doc1"),
              json(
                  "[{'id':'XvSxe5cKQqJR','baseRev':1,'rev':2,'ops':[{'op':'@txt','path':'/body','value':[{'retain':5},{'insert':'B'}]},"
                      + "{'op':'remove','path':'/items/1'},{'op':'@inc','path':'/count','value':2}],"
                      + "'createdAt':1795300829100,'committedAt':0}]"));
      ArrayNode changes = (ArrayNode) result.get("changes");
      assertThat(changes).hasSize(2);
      assertThat(changes.get(0).get("id").stringValue()).isEqualTo("Ve6toGKrDnsX");
      assertThat(changes.get(0).get("rev").asLong()).isEqualTo(2);
      JsonNode mine = changes.get(1);
      assertThat(mine.get("id").stringValue()).isEqualTo("XvSxe5cKQqJR");
      assertThat(mine.get("baseRev").asLong()).isEqualTo(1);
      assertThat(mine.get("rev").asLong()).isEqualTo(3);
      assertThat(
              Json.equal(
                  mine.get("ops"),
                  json(
                      "[{'op':'@txt','path':'/body','value':[{'retain':6},{'insert':'B'}]},"
                          + "{'op':'remove','path':'/items/2'},{'op':'@inc','path':'/count','value':2}]")))
          .as(mine.get("ops").toString())
          .isTrue();
      JsonNode note = c1.nextNotification();
      assertThat(note.get("method").stringValue()).isEqualTo("changesCommitted");
      assertThat(note.has("id")).isFalse();
      assertThat(note.get("params").get("docId").stringValue()).isEqualTo("doc1");
      assertThat(Json.equal(note.get("params").get("changes").get(0), mine)).isTrue();
      // The committer hears of its own commit only through its response.
      assertThat(c2.notifications).isEmpty();

      JsonNode since = c1.result("getChangesSince", str("doc1"), num(2));
      assertThat(since).hasSize(1);
      assertThat(since.get(0).get("rev").asLong()).isEqualTo(3);
    }
  }

  @Test
  void twentyOfflineEdits_commitAfterForeignChangeAsOneBatch() {
    try (TestClient c1 = new TestClient(uri);
        TestClient c2 = new TestClient(uri)) {
      c1.result("commitChanges", str("doc1"), json(FIRST));
      for (int i = 2; i <= 3; i++) {
        c1.result(
            "commitChanges",
            str("doc1"),
            json(
                "[{'id':'base"
                    + i
                    + "','ops':[{'op':'replace','path':'/title','value':'t"
                    + i
                    + "'}]}]"));
      }
      c1.result(
          "commitChanges",
          str("doc1"),
          json(
              "[{'id':'foreign4','baseRev':3,'ops':[{'op':'add','path':'/items/0','value':'f'}]}]"));
      ArrayNode offline = Json.array();
      long now = System.currentTimeMillis();
      for (int i = 0; i < 20; i++) {
        offline.add(
            json(
                "{'id':'off"
                    + i
                    + "','baseRev':3,'rev':"
                    + (4 + i)
                    + ",'ops':[{'op':'@inc','path':'/count','value':1}],'createdAt':"
                    + (now - 1000 + i)
                    + ",'committedAt':0}"));
      }
      ArrayNode changes =
          (ArrayNode) c2.result("commitChanges", str("doc1"), offline).get("changes");
      assertThat(changes).hasSize(21);
      assertThat(changes.get(0).get("id").stringValue()).isEqualTo("foreign4");
      for (int i = 0; i < 20; i++) {
        assertThat(changes.get(i + 1).get("id").stringValue()).isEqualTo("off" + i);
        assertThat(changes.get(i + 1).get("rev").asLong()).isEqualTo(5 + i);
      }
    }
  }

  @Test
  void minimalChangeInput_commitsAtHeadWithServerFields() {
    try (TestClient c1 = new TestClient(uri)) {
      c1.result("commitChanges", str("doc1"), json(FIRST));
      JsonNode result =
          c1.result(
              "commitChanges",
              str("doc1"),
              json("[{'id':'c1','ops':[{'op':'replace','path':'/title','value':'Min'}]}]"));
      JsonNode change = result.get("changes").get(0);
      assertThat(change.get("baseRev").asLong()).isEqualTo(1);
      assertThat(change.get("rev").asLong()).isEqualTo(2);
      assertThat(change.get("createdAt").asLong()).isPositive();
      assertThat(change.get("committedAt").asLong()).isPositive();
    }
  }

  @Test
  void resentChangeId_answersCommittedCopyWithoutSecondCommit() {
    try (TestClient c1 = new TestClient(uri)) {
      c1.result("commitChanges", str("doc1"), json(FIRST));
      String second =
          "[{'id':'again1','baseRev':1,'rev':2,'ops':[{'op':'@inc','path':'/count','value':1}],'createdAt':"
              + CREATED
              + ",'committedAt':0}]";
      JsonNode first = c1.result("commitChanges", str("doc1"), json(second)).get("changes").get(0);
      JsonNode again = c1.result("commitChanges", str("doc1"), json(second));
      assertThat(again.get("changes")).hasSize(1);
      assertThat(Json.equal(again.get("changes").get(0), first)).isTrue();
      assertThat(c1.result("getChangesSince", str("doc1"), num(0))).hasSize(2);
      // A re-sent first upload (baseRev 0) onto the doc it created is its own upload (its first
      // change is the document's first): answered with the committed copy and what came after,
      // committed nothing twice, no reload.
      JsonNode resentUpload = c1.result("commitChanges", str("doc1"), json(FIRST));
      assertThat(resentUpload.get("changes")).hasSize(2);
      assertThat(resentUpload.get("changes").get(0).get("id").stringValue())
          .isEqualTo("ExX30bK9F29V");
      assertThat(resentUpload.has("docReloadRequired")).isFalse();
      assertThat(c1.result("getChangesSince", str("doc1"), num(0))).hasSize(2);
    }
  }

  @Test
  void resendOnNewConnectionAfterLostAnswer_tailIsNotTransformedOverItsOwnHead() {
    // The client sent [A]; the server committed it, the answer was lost with the connection. On
    // the next connection the client sends its queue [A, B], B made after A (remove 'y', at
    // index 2 of [a, x, y]). A is recognised as committed by its id, so B is not transformed
    // over A a second time (which would remove index 3, past the end). Found by the client fuzz.
    String a =
        "{'id':'lostAnswerA','baseRev':1,'rev':2,'ops':[{'op':'add','path':'/items/0','value':'a'}],"
            + "'createdAt':"
            + CREATED
            + ",'committedAt':0}";
    String b =
        "{'id':'lostAnswerB','baseRev':1,'rev':3,'ops':[{'op':'remove','path':'/items/2'}],"
            + "'createdAt':"
            + CREATED
            + ",'committedAt':0}";
    try (TestClient first = new TestClient(uri)) {
      first.result("commitChanges", str("doc1"), json(FIRST));
      first.result("commitChanges", str("doc1"), json("[" + a + "]"));
    }
    try (TestClient again = new TestClient(uri)) {
      JsonNode answer = again.result("commitChanges", str("doc1"), json("[" + a + "," + b + "]"));

      assertThat(answer.get("changes")).hasSize(2);
      assertThat(answer.get("changes").get(1).get("ops").get(0).get("path").stringValue())
          .isEqualTo("/items/2");
      JsonNode doc = again.result("getDoc", str("doc1"));
      JsonNode state = doc.get("state");
      for (JsonNode change : doc.get("changes")) {
        state = JsonPatch.apply(state, PatchOp.listFromJson(change.get("ops")));
      }
      assertThat(state.get("items")).isEqualTo(json("['a','x']"));
    }
  }

  @Test
  void creatingUploadResentWithLaterEdits_resumesOnBaseZeroAndTransformsOverOthers() {
    // The creator's answer was lost; meanwhile another client inserted at the front. The creator
    // re-sends its queue on base 0: [its first change, an edit made after it]. The first change
    // is the document's first, so this is the creator's own upload resumed (patches.md §4.1):
    // the edit is transformed over the other client's insert, not applied at the head as is
    // with a reload. Found by the client fuzz (the creator stayed stuck on 409s afterwards).
    String edit =
        "{'id':'creatorEdit','baseRev':0,'rev':2,'ops':[{'op':'remove','path':'/items/1'}],"
            + "'createdAt':"
            + CREATED
            + ",'committedAt':0}";
    try (TestClient creator = new TestClient(uri);
        TestClient other = new TestClient(uri)) {
      creator.result("commitChanges", str("doc1"), json(FIRST));
      other.result(
          "commitChanges",
          str("doc1"),
          json(
              "[{'id':'otherInsert','baseRev':1,'rev':2,'ops':[{'op':'add','path':'/items/0',"
                  + "'value':'o'}],'createdAt':"
                  + CREATED
                  + ",'committedAt':0}]"));

      String first = FIRST.substring(1, FIRST.length() - 1);
      JsonNode answer =
          creator.result("commitChanges", str("doc1"), json("[" + first + "," + edit + "]"));

      assertThat(answer.has("docReloadRequired")).isFalse();
      JsonNode changes = answer.get("changes");
      assertThat(changes).hasSize(3);
      assertThat(changes.get(2).get("id").stringValue()).isEqualTo("creatorEdit");
      assertThat(changes.get(2).get("ops").get(0).get("path").stringValue()).isEqualTo("/items/2");
    }
  }

  @Test
  void foreignBaseRevZeroUpload_commitsAtHeadAndAsksForReload() {
    try (TestClient c1 = new TestClient(uri);
        TestClient c2 = new TestClient(uri)) {
      c1.result("commitChanges", str("doc1"), json(FIRST));
      JsonNode result =
          c2.result(
              "commitChanges",
              str("doc1"),
              json(
                  "[{'id':'up1','baseRev':0,'rev':1,'ops':[{'op':'replace','path':'/title','value':'Mine'}],'createdAt':1,'committedAt':0}]"));
      assertThat(result.get("docReloadRequired").asBoolean()).isTrue();
      JsonNode mine = result.get("changes").get(result.get("changes").size() - 1);
      assertThat(mine.get("rev").asLong()).isEqualTo(2);
      assertThat(mine.get("baseRev").asLong()).isEqualTo(1);
    }
  }

  @Test
  void createVersion_returnsSortableIdAndGetDocStartsFromIt() {
    try (TestClient c1 = new TestClient(uri)) {
      c1.result(
          "commitChanges",
          str("doc2"),
          json(
              "[{'id':'v1','ops':[{'op':'add','path':'/a','value':1}]},{'id':'v2','ops':[{'op':'add','path':'/z','value':1}]}]"));
      JsonNode id = c1.result("createVersion", str("doc2"));
      assertThat(id.stringValue()).hasSize(16);
      assertThat(c1.result("getDoc", str("doc2")))
          .isEqualTo(json("{'state':{'a':1,'z':1},'rev':2,'changes':[]}"));
      assertThat(c1.result("createVersion", str("doc2")).isNull()).isTrue();
      JsonNode versions = c1.result("listVersions", str("doc2"));
      assertThat(versions).hasSize(1);
      assertThat(versions.get(0).get("origin").stringValue()).isEqualTo("main");
      assertThat(c1.result("getVersionState", str("doc2"), id)).isEqualTo(json("{'a':1,'z':1}"));
      assertThat(c1.result("getVersionChanges", str("doc2"), id)).hasSize(2);
    }
  }

  @Test
  void lwwCommit_answersStoredRowsWithRevAndResolvedDeltas() {
    try (TestClient c1 = new TestClient(uri);
        TestClient c2 = new TestClient(uri)) {
      c2.result("subscribe", str("prefs"));
      c1.result(
          "commitChanges",
          str("prefs"),
          json(
              "[{'id':'p1','baseRev':0,'rev':1,'ops':[{'op':'@inc','path':'/visits','value':1,'ts':1795300829000}],'createdAt':1795300829000,'committedAt':0}]"));
      c2.nextNotification();
      JsonNode result =
          c1.result(
              "commitChanges",
              str("prefs"),
              json(
                  "[{'id':'2xKOf','baseRev':1,'rev':2,'ops':[{'op':'replace','path':'/theme','value':'light','ts':1795300829261},"
                      + "{'op':'@inc','path':'/visits','value':1,'ts':1795300829261}],'createdAt':1795300829261,'committedAt':0}]"));
      JsonNode change = result.get("changes").get(0);
      assertThat(change.get("id").stringValue()).isEqualTo("2xKOf");
      assertThat(change.get("baseRev").asLong()).isEqualTo(1);
      assertThat(change.get("rev").asLong()).isEqualTo(2);
      assertThat(
              Json.equal(
                  change.get("ops"),
                  json(
                      "[{'op':'replace','path':'/theme','value':'light','ts':1795300829261,'rev':2},"
                          + "{'op':'replace','path':'/visits','value':2,'ts':1795300829261,'rev':2}]")))
          .as(change.get("ops").toString())
          .isTrue();
      JsonNode note = c2.nextNotification().get("params").get("changes").get(0);
      assertThat(note.get("baseRev").asLong()).isEqualTo(1);
      assertThat(note.get("rev").asLong()).isEqualTo(2);
      JsonNode doc = c2.result("getDoc", str("prefs"));
      assertThat(doc.get("rev").asLong()).isEqualTo(2);
    }
  }

  @Test
  void deleteDoc_answersWithoutResultNotifiesAndTombstones() {
    try (TestClient c1 = new TestClient(uri);
        TestClient c2 = new TestClient(uri)) {
      c1.result(
          "commitChanges",
          str("gone"),
          json("[{'id':'g1','ops':[{'op':'add','path':'/a','value':1}]}]"));
      c2.result("subscribe", str("gone"));
      JsonNode response = c1.call("deleteDoc", str("gone"));
      assertThat(response.has("result")).isFalse();
      assertThat(response.has("error")).isFalse();
      assertThat(c2.nextNotification())
          .isEqualTo(json("{'jsonrpc':'2.0','method':'docDeleted','params':{'docId':'gone'}}"));
      JsonNode commit =
          c1.call(
              "commitChanges",
              str("gone"),
              json("[{'id':'g2','ops':[{'op':'add','path':'/b','value':1}]}]"));
      assertThat(commit.get("error").get("code").asInt()).isEqualTo(410);
      try (TestClient c3 = new TestClient(uri)) {
        assertThat(c3.result("subscribe", json("['gone']"))).isEmpty();
        assertThat(c3.nextNotification().get("method").stringValue()).isEqualTo("docDeleted");
      }
      assertThat(c1.result("undeleteDoc", str("gone")).asBoolean()).isTrue();
      assertThat(c1.result("undeleteDoc", str("gone")).asBoolean()).isFalse();
    }
  }

  @Test
  void errors_carryCodesAndNoInternals() {
    try (TestClient c1 = new TestClient(uri)) {
      JsonNode unknown = c1.call("fooBar", str("doc1"));
      assertThat(unknown.get("error").get("code").asInt()).isEqualTo(-32601);
      JsonNode badDoc = c1.call("getDoc", num(5));
      assertThat(badDoc.get("error").get("code").asInt()).isEqualTo(400);
      JsonNode ahead =
          c1.call(
              "commitChanges",
              str("doc9"),
              json("[{'id':'a1','baseRev':7,'ops':[{'op':'add','path':'/a','value':1}]}]"));
      assertThat(ahead.get("error").get("code").asInt()).isEqualTo(409);
      assertThat(ahead.get("error").get("data")).isEqualTo(json("{'scope':'doc'}"));
      c1.send("{not json");
      JsonNode parse = c1.nextUnmatched();
      assertThat(parse.get("error").get("code").asInt()).isEqualTo(-32700);
      assertThat(parse.get("id").isNull()).isTrue();
      for (JsonNode e : List.of(unknown, badDoc, ahead, parse)) {
        String text = e.toString();
        assertThat(text)
            .doesNotContain("Exception")
            .doesNotContain("dev.patchbay")
            .doesNotContain("\tat ");
      }
    }
  }
}
