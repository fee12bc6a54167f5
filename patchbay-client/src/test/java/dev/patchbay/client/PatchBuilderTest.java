package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatchBuilderTest {

  @Test
  void ops_everyKind_writesThePatchesWireForm() {
    PatchBuilder b = new PatchBuilder();
    b.add("/a", Map.of("x", 1))
        .replace("/b", "s")
        .remove("/c")
        .move("/d", "/e")
        .copy("/f", "/g")
        .text("/t", List.of(Map.of("insert", "hi")))
        .insertText("/t", 3, "x")
        .deleteText("/t", 0, 2)
        .increment("/n", 2)
        .max("/hi", 5)
        .min("/lo", "2024-01-01")
        .bit("/flags", 3, true)
        .bit("/flags", 3, false);

    assertThat(PatchOp.listToJson(b.ops()))
        .isEqualTo(
            Json.parse(
                "[{\"op\":\"add\",\"path\":\"/a\",\"value\":{\"x\":1}},"
                    + "{\"op\":\"replace\",\"path\":\"/b\",\"value\":\"s\"},"
                    + "{\"op\":\"remove\",\"path\":\"/c\"},"
                    + "{\"op\":\"move\",\"from\":\"/d\",\"path\":\"/e\"},"
                    + "{\"op\":\"copy\",\"from\":\"/f\",\"path\":\"/g\"},"
                    + "{\"op\":\"@txt\",\"path\":\"/t\",\"value\":[{\"insert\":\"hi\"}]},"
                    + "{\"op\":\"@txt\",\"path\":\"/t\",\"value\":[{\"retain\":3},{\"insert\":\"x\"}]},"
                    + "{\"op\":\"@txt\",\"path\":\"/t\",\"value\":[{\"delete\":2}]},"
                    + "{\"op\":\"@inc\",\"path\":\"/n\",\"value\":2},"
                    + "{\"op\":\"@max\",\"path\":\"/hi\",\"value\":5},"
                    + "{\"op\":\"@min\",\"path\":\"/lo\",\"value\":\"2024-01-01\"},"
                    + "{\"op\":\"@bit\",\"path\":\"/flags\",\"value\":8},"
                    + "{\"op\":\"@bit\",\"path\":\"/flags\",\"value\":262144}]"));
  }

  @Test
  void bit_indexOutOfRange_throws() {
    assertThatThrownBy(() -> new PatchBuilder().bit("/f", 15, true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void text_notAnArray_throws() {
    assertThatThrownBy(() -> new PatchBuilder().text("/t", "hi"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void add_jsonNodeValue_isCopied() {
    var value = Json.object().put("a", 1);
    PatchBuilder b = new PatchBuilder().add("/x", value);
    value.put("a", 2);

    assertThat(b.ops().get(0).value().get("a").asInt()).isEqualTo(1);
  }
}
