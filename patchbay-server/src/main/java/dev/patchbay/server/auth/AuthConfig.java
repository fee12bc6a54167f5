package dev.patchbay.server.auth;

import dev.patchbay.core.PatchbayException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How the standalone server authenticates connections. Secrets and keys are read from files (never
 * from a command-line value, which other users can see in the process list).
 *
 * @param mode {@code none} (open: every connection may read and write everything), {@code jwt} or
 *     {@code tokens}
 * @param jwtSecretFile {@code jwt}: file holding the HS256/384/512 shared secret (at least 32
 *     bytes; a trailing newline is ignored)
 * @param jwtPublicKeyFile {@code jwt}: PEM file ({@code BEGIN PUBLIC KEY}) of an RSA or EC key for
 *     RS256/ES256 (and their 384/512 and PS variants)
 * @param jwksFile {@code jwt}: a JSON Web Key Set file of RSA or EC public keys
 * @param jwtIssuer {@code jwt}: when set, the {@code iss} claim must equal it
 * @param jwtAudience {@code jwt}: when set, the {@code aud} claim must contain it
 * @param jwtClockSkew {@code jwt}: tolerance for {@code exp} and {@code nbf}; a connection is
 *     closed this long after its token's {@code exp}
 * @param tokenFile {@code tokens}: the token file, one {@code <token> read=… write=… sub=…} a line
 */
public record AuthConfig(
    Mode mode,
    @Nullable Path jwtSecretFile,
    @Nullable Path jwtPublicKeyFile,
    @Nullable Path jwksFile,
    @Nullable String jwtIssuer,
    @Nullable String jwtAudience,
    Duration jwtClockSkew,
    @Nullable Path tokenFile) {

  /** The authentication modes. */
  public enum Mode {
    /** No authentication: every connection may read and write every document. */
    NONE,
    /** A signed JWT per connection. */
    JWT,
    /** A static token file. */
    TOKENS;

    /** Parses {@code none}, {@code jwt} or {@code tokens}. */
    public static Mode parse(String value) {
      return switch (value) {
        case "none" -> NONE;
        case "jwt" -> JWT;
        case "tokens" -> TOKENS;
        default ->
            throw new PatchbayException(
                400, "Invalid configuration: auth must be none, jwt or tokens, was " + value);
      };
    }
  }

  private static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);

  /** Validates the combination; the message names the setting that is wrong. */
  public AuthConfig {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(jwtClockSkew, "jwtClockSkew");
    require(
        !jwtClockSkew.isNegative() && jwtClockSkew.compareTo(Duration.ofMinutes(10)) <= 0,
        "jwt-clock-skew-seconds must be between 0 and 600");
    int keys =
        (jwtSecretFile == null ? 0 : 1)
            + (jwtPublicKeyFile == null ? 0 : 1)
            + (jwksFile == null ? 0 : 1);
    if (mode == Mode.JWT) {
      require(
          keys == 1,
          "auth jwt needs exactly one of jwt-secret-file, jwt-public-key-file or jwks-file");
    } else {
      require(keys == 0, "jwt key files are only used with auth jwt");
    }
    if (mode == Mode.TOKENS) {
      require(tokenFile != null, "auth tokens needs token-file");
    } else {
      require(tokenFile == null, "token-file is only used with auth tokens");
    }
    require(jwtIssuer == null || !jwtIssuer.isBlank(), "jwt-issuer must not be empty");
    require(jwtAudience == null || !jwtAudience.isBlank(), "jwt-audience must not be empty");
  }

  /** Returns the open configuration: no authentication. */
  public static AuthConfig none() {
    return new AuthConfig(Mode.NONE, null, null, null, null, null, DEFAULT_SKEW, null);
  }

  /** Returns JWT verification with a shared HMAC secret read from {@code secretFile}. */
  public static AuthConfig jwtSecret(Path secretFile) {
    return new AuthConfig(Mode.JWT, secretFile, null, null, null, null, DEFAULT_SKEW, null);
  }

  /** Returns JWT verification with an RSA or EC public key read from a PEM file. */
  public static AuthConfig jwtPublicKey(Path pemFile) {
    return new AuthConfig(Mode.JWT, null, pemFile, null, null, null, DEFAULT_SKEW, null);
  }

  /** Returns JWT verification with the public keys of a JWKS file. */
  public static AuthConfig jwks(Path jwksFile) {
    return new AuthConfig(Mode.JWT, null, null, jwksFile, null, null, DEFAULT_SKEW, null);
  }

  /** Returns static-token authentication from {@code tokenFile}. */
  public static AuthConfig tokens(Path tokenFile) {
    return new AuthConfig(Mode.TOKENS, null, null, null, null, null, DEFAULT_SKEW, tokenFile);
  }

  /** Returns a copy that requires {@code iss} (and {@code aud} when not null) to match. */
  public AuthConfig withIssuerAndAudience(@Nullable String issuer, @Nullable String audience) {
    return new AuthConfig(
        mode, jwtSecretFile, jwtPublicKeyFile, jwksFile, issuer, audience, jwtClockSkew, tokenFile);
  }

  /** Returns a copy with another clock skew tolerance. */
  public AuthConfig withClockSkew(Duration skew) {
    return new AuthConfig(
        mode, jwtSecretFile, jwtPublicKeyFile, jwksFile, jwtIssuer, jwtAudience, skew, tokenFile);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new PatchbayException(400, "Invalid configuration: " + message);
    }
  }
}
