package dev.patchbay.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Credentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthConfigTest {
  @TempDir Path dir;

  @Test
  void jwtWithoutKeyOrWithTwoKeys_refused() {
    Path f = Path.of("x");
    assertThatThrownBy(
            () ->
                new AuthConfig(
                    AuthConfig.Mode.JWT, null, null, null, null, null, Duration.ZERO, null))
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("exactly one of jwt-secret-file");
    assertThatThrownBy(
            () -> new AuthConfig(AuthConfig.Mode.JWT, f, f, null, null, null, Duration.ZERO, null))
        .hasMessageContaining("exactly one");
    assertThatThrownBy(
            () ->
                new AuthConfig(
                    AuthConfig.Mode.NONE, null, null, null, null, null, Duration.ZERO, f))
        .hasMessageContaining("token-file is only used with auth tokens");
    assertThatThrownBy(() -> AuthConfig.Mode.parse("basic"))
        .hasMessageContaining("none, jwt or tokens");
    assertThatThrownBy(() -> AuthConfig.jwtSecret(f).withClockSkew(Duration.ofHours(1)))
        .hasMessageContaining("jwt-clock-skew-seconds");
  }

  @Test
  void shortSecret_refusedAtStartWithoutQuotingIt() throws Exception {
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "short-secret\n");
    assertThatThrownBy(() -> Authenticators.fromConfig(AuthConfig.jwtSecret(secret)))
        .hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void missingKeyFile_namesTheSetting() {
    assertThatThrownBy(() -> Authenticators.fromConfig(AuthConfig.jwks(dir.resolve("nope"))))
        .hasMessageContaining("jwks-file cannot be read");
  }

  @Test
  void tokenFileErrors_nameTheLineNotTheToken() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "# c\nsecret-token-0123456789 write=* other-secret-9876543210\n");
    assertThatThrownBy(() -> Authenticators.tokenFile(file))
        .hasMessageContaining("line 2")
        .hasMessageNotContaining("secret-token")
        .hasMessageNotContaining("other-secret");
    Files.writeString(file, "short write=*\n");
    assertThatThrownBy(() -> Authenticators.tokenFile(file)).hasMessageContaining("16 characters");
    Files.writeString(file, "a-long-enough-token-123\n");
    assertThatThrownBy(() -> Authenticators.tokenFile(file)).hasMessageContaining("no rights");
  }

  @Test
  void tokenFile_unknownAndMissingTokens_unauthorized() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(file, "a-long-enough-token-123 read=* sub=viewer\n");
    var auth = Authenticators.tokenFile(file);
    AuthResult ok =
        auth.authenticate(new Credentials("a-long-enough-token-123", "here"))
            .toCompletableFuture()
            .join();
    assertThat(((AuthResult.Accepted) ok).identity().subject()).isEqualTo("viewer");
    assertThat(((AuthResult.Accepted) ok).identity().access().isReadOnly()).isTrue();
    assertThat(auth.authenticate(new Credentials("nope", "here")).toCompletableFuture().join())
        .isEqualTo(AuthResult.unauthorized("invalid token"));
    assertThat(auth.authenticate(new Credentials(null, "here")).toCompletableFuture().join())
        .isEqualTo(AuthResult.unauthorized("missing token"));
    assertThat(new Credentials("a-long-enough-token-123", "here").toString())
        .doesNotContain("a-long-enough-token-123");
  }
}
