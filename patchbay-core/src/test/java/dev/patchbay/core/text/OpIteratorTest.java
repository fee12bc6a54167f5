package dev.patchbay.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpIteratorTest {

  private static List<Op> ops(String json) {
    return Delta.fromJson(Json.parse(json)).ops();
  }

  @Test
  void next_withLength_splitsTextAndKeepsAttributes() {
    OpIterator it = new OpIterator(ops("[{\"insert\":\"abcd\",\"attributes\":{\"b\":1}}]"));
    Op first = it.next(1);
    assertThat(first.text).isEqualTo("a");
    assertThat(first.attributes).isNotNull();
    assertThat(it.peekLength()).isEqualTo(3);
    assertThat(it.next().text).isEqualTo("bcd");
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void next_zeroLength_takesTheWholeRestLikeQuill() {
    OpIterator it = new OpIterator(ops("[{\"retain\":5}]"));
    assertThat(it.next(0).count).isEqualTo(5);
  }

  @Test
  void next_pastTheEnd_isAnEndlessRetain() {
    OpIterator it = new OpIterator(List.of());
    assertThat(it.peekType()).isEqualTo(Op.Kind.RETAIN);
    assertThat(it.peekLength()).isEqualTo(Op.INFINITE);
    assertThat(it.next().count).isEqualTo(Op.INFINITE);
  }

  @Test
  void next_embedRetain_isNeverSplit() {
    OpIterator it = new OpIterator(ops("[{\"retain\":{\"x\":1}},{\"delete\":2}]"));
    assertThat(it.peekLength()).isEqualTo(1);
    assertThat(it.next(1).isEmbedRetain()).isTrue();
    assertThat(it.peekType()).isEqualTo(Op.Kind.DELETE);
  }

  @Test
  void rest_afterAPartialOp_startsWithItsRemainder() {
    OpIterator it = new OpIterator(ops("[{\"insert\":\"abc\"},{\"retain\":2}]"));
    it.next(2);
    List<Op> rest = it.rest();
    assertThat(rest).hasSize(2);
    assertThat(rest.get(0).text).isEqualTo("c");
    // rest() does not consume.
    assertThat(it.peekLength()).isEqualTo(1);
  }
}
