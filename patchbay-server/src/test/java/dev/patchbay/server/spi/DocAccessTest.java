package dev.patchbay.server.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocAccessTest {
  @Test
  void glob_starMatchesAnyRunIncludingSlash() {
    assertThat(DocAccess.glob("*", "")).isTrue();
    assertThat(DocAccess.glob("*", "a/b/c")).isTrue();
    assertThat(DocAccess.glob("users/*", "users/alice/notes")).isTrue();
    assertThat(DocAccess.glob("users/*", "users")).isFalse();
    assertThat(DocAccess.glob("a*b*c", "aXbYbZc")).isTrue();
    assertThat(DocAccess.glob("a*b*c", "aXbYbZ")).isFalse();
    assertThat(DocAccess.glob("doc-?", "doc-1")).isFalse();
    assertThat(DocAccess.glob("exact", "exact")).isTrue();
    assertThat(DocAccess.glob("exact", "exactly")).isFalse();
    assertThat(DocAccess.glob("**x", "yyx")).isTrue();
  }

  @Test
  void writeImpliesRead_readOnlyHasNoWrite() {
    DocAccess access = new DocAccess(List.of("pub/*"), List.of("mine/*"));
    assertThat(access.canRead("mine/1")).isTrue();
    assertThat(access.canWrite("mine/1")).isTrue();
    assertThat(access.canRead("pub/1")).isTrue();
    assertThat(access.canWrite("pub/1")).isFalse();
    assertThat(access.canRead("other")).isFalse();
    assertThat(access.isReadOnly()).isFalse();
    assertThat(new DocAccess(List.of("*"), List.of()).isReadOnly()).isTrue();
  }

  @Test
  void fromClaim_listsOrSingleStrings_malformedGrantsNothing() {
    assertThat(DocAccess.fromClaim(Map.of("read", "a/*", "write", List.of("b", 3, ""))))
        .isEqualTo(new DocAccess(List.of("a/*"), List.of("b")));
    assertThat(DocAccess.fromClaim(null).isEmpty()).isTrue();
    assertThat(DocAccess.fromClaim("write").isEmpty()).isTrue();
    assertThat(DocAccess.fromClaim(Map.of("admin", true)).isEmpty()).isTrue();
  }
}
