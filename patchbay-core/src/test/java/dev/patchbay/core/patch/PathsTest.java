package dev.patchbay.core.patch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathsTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "/", "/a", "/a/0", "/a~0b", "/a~1b/~0", "/-"})
  void isPointer_rfc6901Syntax_isTrue(String path) {
    assertThat(Paths.isPointer(path)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b", "/a~", "/a~2", "/~x", "~0"})
  void isPointer_badSyntax_isFalse(String path) {
    assertThat(Paths.isPointer(path)).isFalse();
  }
}
