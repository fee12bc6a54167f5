package dev.patchbay.core.ot;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.ConformanceVectors.Vector;
import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every change in the recorded OT vectors survives a read and write through {@link Change}
 * unchanged, extra members ({@code clientId}, {@code batchId}, {@code author}, …) included: the
 * sync walks copy changes, so the codec must not add, drop or reshape anything.
 */
class ChangeJsonVectorsTest {

  @Test
  void changeJson_everyRecordedChange_roundTripsExactly() {
    List<JsonNode> changes = recordedChanges(true);

    assertThat(changes).hasSizeGreaterThan(5000);
    for (JsonNode json : changes) {
      assertJsonEquals(json, Change.fromJson(json).toJson());
    }
  }

  /**
   * A change read back from its stored text keeps that text as its JSON: the same text encoding the
   * read change again would give, for every recorded change.
   */
  @Test
  void storedJson_isKeptAsIs_andIsWhatEncodingAgainGives() {
    List<JsonNode> changes = recordedChanges(false);
    for (JsonNode json : changes) {
      String stored = Change.fromJson(json).toJsonString();
      Change read = Change.fromStoredJson(stored);
      assertThat(read.toJsonString()).isSameAs(stored);
      assertThat(Change.fromJson(read.toJson()).toJsonString()).isEqualTo(stored);
    }
  }

  /**
   * The text a change is sent and stored as is written member by member, without a tree: it must be
   * the tree's text exactly, byte for byte, for every recorded change and for ops carrying the
   * last-write-wins members (soft, ts, rev) and metadata the vectors lack.
   */
  @Test
  void encodedText_isTheTreesText_byteForByte() {
    List<JsonNode> changes = recordedChanges(true);
    changes.add(
        Json.parse(
            "{\"id\":\"l\",\"baseRev\":3,\"rev\":4,\"ops\":[{\"op\":\"replace\",\"path\":\"/a\","
                + "\"value\":{\"x\":[1,2.5,null,\"\\u00e9\\\"\"]},\"soft\":true,\"ts\":17,\"rev\":4},"
                + "{\"op\":\"move\",\"path\":\"/b\",\"from\":\"/c\"},{\"op\":\"remove\",\"path\":\"/d\"}],"
                + "\"createdAt\":5,\"committedAt\":6,\"batchId\":\"b1\",\"clientId\":\"c1\","
                + "\"author\":{\"name\":\"\u00c5sa\"},\"tags\":[\"x\"]}"));

    for (JsonNode json : changes) {
      Change change = Change.fromJson(json);
      String tree = Json.write(change.toJson());
      assertThat(change.toJsonString()).isEqualTo(tree);
      assertThat(Change.fromJson(json).toJsonBytes())
          .isEqualTo(tree.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /**
   * A lone surrogate, which a client can send escaped ({@code "\\ud83d"}), survives encoding: it is
   * written escaped, so whoever reads the change gets the same string. (Text encoded through a Java
   * string and then to UTF-8 turned it into {@code ?}.)
   */
  @Test
  void loneSurrogate_survivesEncoding() {
    Change change =
        Change.fromJson(
            Json.parse(
                "{\"id\":\"s\",\"baseRev\":0,\"rev\":1,\"ops\":[{\"op\":\"replace\","
                    + "\"path\":\"/a\",\"value\":\"a\\ud83db\"}],\"createdAt\":1,\"committedAt\":2}"));

    Change read = Change.fromStoredJson(change.toJsonString());

    assertThat(read.ops().get(0).value().stringValue()).isEqualTo("a\ud83db");
    assertThat(Change.fromJson(Json.parse(new String(change.toJsonBytes(), UTF_8))))
        .isEqualTo(change);
  }

  /**
   * A change made compact (ops kept only as JSON) is still the same change: equal to one read from
   * the same JSON, with the same hash, ops, tree and bytes, for every recorded change; copies made
   * from it are full again.
   */
  @Test
  void compactChange_everyRecordedChange_isTheSameChange() {
    for (JsonNode json : recordedChanges(true)) {
      Change full = Change.fromJson(json);
      Change compact = Change.fromJson(json);

      assertThat(compact.compact()).isSameAs(compact);
      assertThat(compact.isCompact()).isTrue();
      assertThat(compact).isEqualTo(full).hasSameHashCodeAs(full);
      assertThat(compact.ops()).isEqualTo(full.ops());
      assertThat(compact.toJsonBytes()).isEqualTo(full.toJsonBytes());
      assertThat(compact.toJsonString()).isEqualTo(full.toJsonString());
      assertJsonEquals(full.toJson(), compact.toJson());
      Change expanded = compact.expanded();
      assertThat(expanded.isCompact()).isFalse();
      assertThat(expanded).isEqualTo(full);
      assertThat(compact.withRev(full.rev() + 7)).isEqualTo(full.withRev(full.rev() + 7));
      assertThat(compact.withRev(1).isCompact()).isFalse();
    }
    // A change read from its stored text drops the text too, and keeps saying the same.
    Change stored =
        Change.fromStoredJson(Change.fromJson(recordedChanges(false).get(0)).toJsonString());
    String text = stored.toJsonString();
    assertThat(stored.compact().toJsonString()).isEqualTo(text).isNotSameAs(text);
  }

  /** The JSON length counted from the bytes is the text's length in UTF-16 units. */
  @Test
  void jsonLength_isTheLengthOfTheText() {
    String[] values = {"plain", "\u00e9t\u00e9", "\ud83d\ude00 smile", "a\ud83db", "\u65e5\u672c"};
    for (String value : values) {
      Change change =
          Change.fromJson(
              Json.parse(
                  "{\"id\":\"s\",\"baseRev\":0,\"rev\":1,\"ops\":[{\"op\":\"replace\","
                      + "\"path\":\"/a\",\"value\":\""
                      + value
                      + "\"}],\"createdAt\":1,\"committedAt\":2}"));
      assertThat(change.jsonLength()).as(value).isEqualTo(change.toJsonString().length());
      Change stored = Change.fromStoredJson(change.toJsonString());
      assertThat(stored.jsonLength()).as(value).isEqualTo(change.jsonLength());
    }
    assertThat(
            Change.fromJson(
                    Json.parse(
                        "{\"id\":\"s\",\"ops\":[{\"op\":\"replace\",\"path\":\"/a\",\"value\":\"\ud83d\ude00\"}]}"))
                .jsonLength())
        .as("a pair of surrogates counts two")
        .isEqualTo(
            "{\"id\":\"s\",\"baseRev\":0,\"rev\":0,\"ops\":[{\"op\":\"replace\",\"path\":\"/a\",\"value\":\"\ud83d\ude00\"}],\"createdAt\":0,\"committedAt\":0}"
                .length());
  }

  /** Every change of the transform vectors, and of the rebase vectors too if {@code rebase}. */
  private static List<JsonNode> recordedChanges(boolean rebase) {
    List<JsonNode> changes = new ArrayList<>();
    for (Vector v : ConformanceVectors.ofKind("transformIncomingChanges")) {
      collect(changes, v.input().get("changes"), v.input().get("committedChanges"), v.result());
    }
    if (rebase) {
      for (Vector v : ConformanceVectors.ofKind("rebaseChanges")) {
        collect(changes, v.input().get("serverChanges"), v.input().get("localChanges"), v.result());
      }
    }
    return changes;
  }

  private static void collect(List<JsonNode> out, JsonNode... arrays) {
    for (JsonNode array : arrays) {
      for (JsonNode change : array) {
        out.add(change);
      }
    }
  }
}
