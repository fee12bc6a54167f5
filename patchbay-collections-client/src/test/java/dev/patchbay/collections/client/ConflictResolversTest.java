package dev.patchbay.collections.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The conflict vectors of SyncLayer's tests (findings Part A4), exactly. */
class ConflictResolversTest {
  private static final Instant AT_10_00 = Instant.parse("2024-01-01T10:00:00Z");
  private static final Instant AT_10_05 = Instant.parse("2024-01-01T10:05:00Z");
  private static final Instant AT_10_10 = Instant.parse("2024-01-01T10:10:00Z");

  private static ObjectNode doc(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.isString() ? n.stringValue() : Json.write(n)));
    return out;
  }

  @Test
  void lastWriteWins_remoteNewer_remoteWins() {
    assertThat(
            DefaultCollectionsClient.lastWriteWinsPicksRemote(
                AT_10_00.toEpochMilli(), AT_10_05.toEpochMilli()))
        .isTrue();
  }

  @Test
  void lastWriteWins_localNewer_localWins() {
    assertThat(
            DefaultCollectionsClient.lastWriteWinsPicksRemote(
                AT_10_10.toEpochMilli(), AT_10_05.toEpochMilli()))
        .isFalse();
  }

  @Test
  void lastWriteWins_tie_remoteWins() {
    assertThat(
            DefaultCollectionsClient.lastWriteWinsPicksRemote(
                AT_10_00.toEpochMilli(), AT_10_00.toEpochMilli()))
        .isTrue();
  }

  @Test
  void mergeArrays_tagsAndLikes_unitedTitleFromRemote() {
    ObjectNode out =
        ConflictResolvers.mergeArrays(List.of("tags", "likes"))
            .resolve(
                doc("{'title':'Post','tags':['flutter','dart'],'likes':['user1','user2']}"),
                doc("{'title':'Post Updated','tags':['dart','mobile'],'likes':['user2','user3']}"),
                AT_10_00,
                AT_10_05);
    assertThat(out.get("title").stringValue()).isEqualTo("Post Updated");
    assertThat(strings(out.get("tags"))).containsExactlyInAnyOrder("flutter", "dart", "mobile");
    assertThat(strings(out.get("likes"))).containsExactlyInAnyOrder("user1", "user2", "user3");
  }

  @Test
  void sumNumbers_quantityAndViews_summedNameFromRemote() {
    ObjectNode out =
        ConflictResolvers.sumNumbers(List.of("quantity", "views"))
            .resolve(
                doc("{'name':'Product','quantity':10,'views':100}"),
                doc("{'name':'Product Updated','quantity':5,'views':50}"),
                AT_10_00,
                AT_10_05);
    assertThat(out.get("name").stringValue()).isEqualTo("Product Updated");
    assertThat(out.get("quantity").intValue()).isEqualTo(15);
    assertThat(out.get("views").intValue()).isEqualTo(150);
  }

  @Test
  void mergeFields_listedFromLocal_restFromRemote() {
    ObjectNode out =
        ConflictResolvers.mergeFields(List.of("comments", "likes"))
            .resolve(
                doc("{'title':'Local Title','comments':['c1','c2'],'likes':10}"),
                doc("{'title':'Remote Title','comments':['c3'],'likes':5}"),
                AT_10_00,
                AT_10_05);
    assertThat(out.get("title").stringValue()).isEqualTo("Remote Title");
    assertThat(strings(out.get("comments"))).containsExactly("c1", "c2");
    assertThat(out.get("likes").intValue()).isEqualTo(10);
  }

  @Test
  void maxValue_versionAndScore_largerOfEach() {
    ObjectNode out =
        ConflictResolvers.maxValue(List.of("version", "score"))
            .resolve(
                doc("{'version':5,'score':100}"),
                doc("{'version':3,'score':150}"),
                AT_10_00,
                AT_10_05);
    assertThat(out.get("version").intValue()).isEqualTo(5);
    assertThat(out.get("score").intValue()).isEqualTo(150);
  }

  @Test
  void fieldLevelLastWriteWins_eachFieldFromItsNewerSide() {
    ObjectNode out =
        ConflictResolvers.fieldLevelLastWriteWins()
            .resolve(
                doc(
                    "{'title':'Local Title','title_updatedAt':'2024-01-01T10:05:00Z',"
                        + "'content':'Local Content','content_updatedAt':'2024-01-01T10:00:00Z'}"),
                doc(
                    "{'title':'Remote Title','title_updatedAt':'2024-01-01T10:00:00Z',"
                        + "'content':'Remote Content','content_updatedAt':'2024-01-01T10:05:00Z'}"),
                AT_10_00,
                AT_10_05);
    assertThat(out.get("title").stringValue()).isEqualTo("Local Title");
    assertThat(out.get("content").stringValue()).isEqualTo("Remote Content");
  }

  @Test
  void deepMerge_keepsEveryKey_mergesSettings_unitesTags() {
    ObjectNode out =
        ConflictResolvers.deepMerge()
            .resolve(
                doc(
                    "{'user':{'name':'John','settings':{'theme':'dark','notifications':true}},"
                        + "'tags':['tag1','tag2']}"),
                doc(
                    "{'user':{'email':'john@example.com','settings':{'language':'en'}},"
                        + "'tags':['tag2','tag3']}"),
                AT_10_00,
                AT_10_05);
    JsonNode user = out.get("user");
    assertThat(user.get("name").stringValue()).isEqualTo("John");
    assertThat(user.get("email").stringValue()).isEqualTo("john@example.com");
    assertThat(user.get("settings").get("theme").stringValue()).isEqualTo("dark");
    assertThat(user.get("settings").get("notifications").booleanValue()).isTrue();
    assertThat(user.get("settings").get("language").stringValue()).isEqualTo("en");
    assertThat(strings(out.get("tags"))).contains("tag1", "tag2", "tag3");
  }

  @Test
  void deepMerge_scalarClash_remoteWins() {
    ObjectNode out =
        ConflictResolvers.deepMerge()
            .resolve(doc("{'a':{'b':1}}"), doc("{'a':{'b':2}}"), AT_10_10, AT_10_05);
    assertThat(out.get("a").get("b").intValue()).isEqualTo(2);
  }

  @Test
  void custom_inventory_sumsQuantity_locationFromRemote() {
    ConflictResolver inventory =
        (local, remote, lt, rt) -> {
          ObjectNode out = remote.deepCopy();
          out.put("quantity", local.get("quantity").intValue() + remote.get("quantity").intValue());
          return out;
        };
    ObjectNode out =
        inventory.resolve(
            doc("{'productId':'123','quantity':10,'location':'Warehouse A'}"),
            doc("{'productId':'123','quantity':5,'location':'Warehouse B'}"),
            AT_10_00,
            AT_10_05);
    assertThat(out.get("quantity").intValue()).isEqualTo(15);
    assertThat(out.get("location").stringValue()).isEqualTo("Warehouse B");
  }

  @Test
  void custom_social_likesDeduplicated_commentsConcatenated() {
    ConflictResolver social =
        (local, remote, lt, rt) -> {
          ObjectNode out =
              ConflictResolvers.mergeArrays(List.of("likes")).resolve(local, remote, lt, rt);
          var comments = local.withArray("comments").deepCopy();
          remote.get("comments").forEach(comments::add);
          out.set("comments", comments);
          return out;
        };
    ObjectNode out =
        social.resolve(
            doc("{'likes':['u1','u2'],'comments':[{'user':'u1','text':'Great!'}]}"),
            doc("{'likes':['u2','u3'],'comments':[{'user':'u3','text':'Nice!'}]}"),
            AT_10_00,
            AT_10_05);
    assertThat(out.get("likes").size()).isEqualTo(3);
    assertThat(out.get("comments").size()).isEqualTo(2);
  }

  @Test
  void custom_withoutResolver_isRejected_andAResolverIsUsedAsGiven(@TempDir Path dir) {
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl("http://127.0.0.1:1")
                    .dataDirectory(dir)
                    .collections("todos")
                    .conflictStrategy(ConflictStrategy.CUSTOM)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("conflictResolver");
    ConflictResolver fixed = (l, r, lt, rt) -> doc("{'merged':true}");
    assertThat(Json.write(fixed.resolve(doc("{'a':1}"), doc("{'b':2}"), AT_10_00, AT_10_05)))
        .isEqualTo("{\"merged\":true}");
  }
}
