package dev.patchbay.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class AttributeMapTest {

  private static ObjectNode a(String json) {
    return (ObjectNode) Json.parse(json);
  }

  private static void assertAttrs(@Nullable ObjectNode actual, @Nullable String expected) {
    if (expected == null) {
      assertThat(actual).isNull();
    } else {
      assertThat(actual).isNotNull();
      assertThat(Json.equal(actual, Json.parse(expected))).as(String.valueOf(actual)).isTrue();
    }
  }

  @Test
  void compose_secondWins_andKeepsUntouchedKeys() {
    assertAttrs(
        AttributeMap.compose(
            a("{\"bold\":true,\"color\":\"red\"}"), a("{\"color\":\"blue\"}"), false),
        "{\"bold\":true,\"color\":\"blue\"}");
  }

  @Test
  void compose_nullInSecond_droppedUnlessKeepNull() {
    ObjectNode first = a("{\"bold\":true}");
    ObjectNode second = a("{\"bold\":null}");
    assertAttrs(AttributeMap.compose(first, second, false), null);
    assertAttrs(AttributeMap.compose(first, second, true), "{\"bold\":null}");
  }

  @Test
  void compose_nullInFirst_isKept() {
    assertAttrs(AttributeMap.compose(a("{\"bold\":null}"), null, false), "{\"bold\":null}");
  }

  @Test
  void compose_bothAbsent_isNull() {
    assertAttrs(AttributeMap.compose(null, null, true), null);
  }

  @Test
  void diff_changedAndRemovedKeys() {
    assertAttrs(
        AttributeMap.diff(
            a("{\"bold\":true,\"color\":\"red\"}"), a("{\"color\":\"blue\",\"i\":1}")),
        "{\"bold\":null,\"color\":\"blue\",\"i\":1}");
    assertAttrs(AttributeMap.diff(a("{\"x\":[1]}"), a("{\"x\":[1]}")), null);
  }

  @Test
  void invert_restoresBaseAndNullsAdditions() {
    assertAttrs(
        AttributeMap.invert(a("{\"bold\":null,\"italic\":true}"), a("{\"bold\":true}")),
        "{\"bold\":true,\"italic\":null}");
    assertAttrs(AttributeMap.invert(a("{\"bold\":true}"), a("{\"bold\":true}")), "{}");
    // Object values are never identical in quill (===), so the base value is restored.
    assertAttrs(
        AttributeMap.invert(a("{\"link\":{\"a\":1}}"), a("{\"link\":{\"a\":1}}")),
        "{\"link\":{\"a\":1}}");
  }

  @Test
  void transform_priorityKeepsOnlyKeysTheFirstDidNotSet() {
    ObjectNode first = a("{\"bold\":true}");
    ObjectNode second = a("{\"bold\":false,\"italic\":null}");
    assertAttrs(AttributeMap.transform(first, second, true), "{\"italic\":null}");
    assertAttrs(AttributeMap.transform(first, second, false), "{\"bold\":false,\"italic\":null}");
    assertAttrs(AttributeMap.transform(null, second, true), "{\"bold\":false,\"italic\":null}");
    assertAttrs(AttributeMap.transform(first, null, true), null);
    assertAttrs(AttributeMap.transform(first, a("{\"bold\":1}"), true), null);
  }
}
