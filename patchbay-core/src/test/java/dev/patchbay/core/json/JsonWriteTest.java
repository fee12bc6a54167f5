package dev.patchbay.core.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@link Json#write} takes shortcuts for numbers and plain strings (request ids, document ids); the
 * text must be what the mapper writes, for every kind of string.
 */
class JsonWriteTest {
  private static final String ALPHABET =
      "ab-_:/. ~\"\\\n\t\u0000\u001f\u007f\u00e9\u4e2d\ud83d\ude00";

  @Test
  void quote_randomStrings_isWhatTheMapperWrites() {
    Random random = new Random(7);
    int plain = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(12);
      // Half of the strings use only the first eight characters: the shortcut's own case.
      int alphabet = random.nextBoolean() ? 8 : ALPHABET.length();
      for (int i = 0; i < length; i++) {
        text.append(ALPHABET.charAt(random.nextInt(alphabet)));
      }
      String s = text.toString();
      String expected = Json.MAPPER.writeValueAsString(Json.NODES.stringNode(s));
      assertThat(Json.quote(s)).as("%s", expected).isEqualTo(expected);
      assertThat(Json.write(Json.NODES.stringNode(s))).isEqualTo(expected);
      if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '\\')) {
        plain++;
      }
    }
    assertThat(plain).isGreaterThan(5_000);
  }

  @Test
  void write_numbersAndOtherNodes_isWhatTheMapperWrites() {
    for (JsonNode node :
        new JsonNode[] {
          Json.NODES.numberNode(0),
          Json.NODES.numberNode(-17),
          Json.NODES.numberNode(Integer.MAX_VALUE),
          Json.NODES.numberNode(Long.MIN_VALUE),
          Json.NODES.numberNode(2.5),
          Json.NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
          Json.NODES.nullNode(),
          Json.NODES.booleanNode(true),
          Json.parse("{\"a\":[1,\"x\"]}")
        }) {
      assertThat(Json.write(node)).isEqualTo(Json.MAPPER.writeValueAsString(node));
    }
  }
}
