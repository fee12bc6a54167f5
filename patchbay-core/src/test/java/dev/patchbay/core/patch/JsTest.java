package dev.patchbay.core.patch;

import static dev.patchbay.core.patch.JsonPatchApplyTest.j;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import org.junit.jupiter.api.Test;

/** The JavaScript value rules of {@link Js}, checked against what JavaScript itself prints. */
class JsTest {

  @Test
  void numberToString_matchesNumberPrototypeToString() {
    assertThat(Js.numberToString(1)).isEqualTo("1");
    assertThat(Js.numberToString(-1.5)).isEqualTo("-1.5");
    assertThat(Js.numberToString(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    assertThat(Js.numberToString(1e21)).isEqualTo("1e+21");
    assertThat(Js.numberToString(123456789012345680000.0)).isEqualTo("123456789012345680000");
    assertThat(Js.numberToString(1e-7)).isEqualTo("1e-7");
    assertThat(Js.numberToString(0.000001)).isEqualTo("0.000001");
    assertThat(Js.numberToString(-0.0)).isEqualTo("0");
    assertThat(Js.numberToString(Double.NaN)).isEqualTo("NaN");
  }

  @Test
  void plus_concatenatesWhenEitherSideIsAString() {
    assertThat(Js.plus(j("1"), j("2"))).isEqualTo(j("3"));
    assertThat(Js.plus(j("'a'"), j("1.5"))).isEqualTo(j("'a1.5'"));
    assertThat(Js.plus(j("[1,2]"), j("3"))).isEqualTo(j("'1,23'"));
    assertThat(Js.plus(j("{}"), j("1"))).isEqualTo(j("'[object Object]1'"));
    assertThat(Js.plus(j("true"), j("1"))).isEqualTo(j("2"));
    assertThat(Js.plus(j("null"), j("1"))).isEqualTo(j("1"));
    assertThat(Js.plus(j("1"), null)).isEqualTo(Json.NODES.nullNode());
  }

  @Test
  void greaterAndLess_compareLikeJavaScript() {
    assertThat(Js.greater(j("10"), j("9"))).isTrue();
    assertThat(Js.greater(j("'10'"), j("'9'"))).isFalse();
    assertThat(Js.greater(j("'10'"), j("9"))).isTrue();
    assertThat(Js.less(j("'2024-01-10'"), j("'2024-01-15'"))).isTrue();
    assertThat(Js.greater(j("'x'"), j("1"))).isFalse();
    assertThat(Js.less(j("'x'"), j("1"))).isFalse();
    assertThat(Js.greater(null, j("1"))).isFalse();
    assertThat(Js.greater(j("1"), j("null"))).isTrue();
  }

  @Test
  void toInt32_wrapsLikeJavaScript() {
    assertThat(Js.toInt32(4294967297.0)).isEqualTo(1);
    assertThat(Js.toInt32(-1.9)).isEqualTo(-1);
    assertThat(Js.toInt32(2147483648.0)).isEqualTo(-2147483648);
    assertThat(Js.toInt32(j("'12'"))).isEqualTo(12);
    assertThat(Js.toInt32(Double.NaN)).isZero();
  }

  @Test
  void keys_readArrayIndexesThePatchesWay() {
    assertThat(Js.toArrayIndex(3, "-")).isEqualTo(3);
    assertThat(Js.toArrayIndex(3, "01")).isEqualTo(1);
    assertThat(Js.toArrayIndex(3, "")).isZero();
    assertThat(Js.toArrayIndex(3, "1e0")).isEqualTo(-1);
    assertThat(Js.arrayIndex("01")).isEqualTo(-1);
    assertThat(Js.arrayIndex("4294967295")).isEqualTo(-1);
    assertThat(Js.get(j("['a','b']"), "length")).isEqualTo(j("2"));
    assertThat(Js.get(j("'xy'"), "1")).isEqualTo(j("'y'"));
  }

  @Test
  void truthy_followsJavaScript() {
    assertThat(Js.truthy(j("0"))).isFalse();
    assertThat(Js.truthy(j("''"))).isFalse();
    assertThat(Js.truthy(j("null"))).isFalse();
    assertThat(Js.truthy(null)).isFalse();
    assertThat(Js.truthy(j("{}"))).isTrue();
    assertThat(Js.truthy(j("[]"))).isTrue();
    assertThat(Js.truthy(j("'0'"))).isTrue();
  }
}
