package dev.patchbay.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Identity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds the built-in {@link Authenticator}s. Files are read once, here; a missing or malformed
 * file fails with a {@link PatchbayException} (400) naming the setting, never quoting the content.
 */
public final class Authenticators {
  private static final int MIN_SECRET_BYTES = 32;
  private static final AuthResult ANONYMOUS = AuthResult.accept(Identity.anonymous());
  private static final Authenticator OPEN =
      credentials -> CompletableFuture.completedFuture(ANONYMOUS);

  private Authenticators() {}

  /** Returns the authenticator {@code config} describes. */
  public static Authenticator fromConfig(AuthConfig config) {
    return switch (config.mode()) {
      case NONE -> open();
      case TOKENS -> tokenFile(required(config.tokenFile()));
      case JWT -> {
        JWSKeySelector<SecurityContext> keys;
        if (config.jwtSecretFile() != null) {
          keys = hmacKeys(config.jwtSecretFile());
        } else if (config.jwtPublicKeyFile() != null) {
          keys = pemKeys(config.jwtPublicKeyFile());
        } else {
          keys = jwksKeys(required(config.jwksFile()));
        }
        yield new JwtAuthenticator(
            keys, config.jwtIssuer(), config.jwtAudience(), config.jwtClockSkew());
      }
    };
  }

  /** Returns the open authenticator: every connection is {@link Identity#anonymous()}. */
  public static Authenticator open() {
    return OPEN;
  }

  /** Returns whether {@code authenticator} is the one {@link #open()} returns. */
  public static boolean isOpen(Authenticator authenticator) {
    return authenticator == OPEN;
  }

  /**
   * Returns an authenticator over a token file: one token a line, then its rights as {@code
   * read=<patterns>} and {@code write=<patterns>} (comma-separated globs) and an optional {@code
   * sub=<name>}; blank lines and lines starting with {@code #} are ignored. Tokens are at least 16
   * characters and never expire.
   */
  public static Authenticator tokenFile(Path file) {
    return TokenFileAuthenticator.load(file);
  }

  private static JWSKeySelector<SecurityContext> hmacKeys(Path file) {
    byte[] secret = read(file, "jwt-secret-file");
    int end = secret.length;
    while (end > 0 && (secret[end - 1] == '\n' || secret[end - 1] == '\r')) {
      end--;
    }
    secret = Arrays.copyOf(secret, end);
    if (secret.length < MIN_SECRET_BYTES) {
      throw invalid(
          "jwt-secret-file must hold at least "
              + MIN_SECRET_BYTES
              + " bytes (HS256 needs 256 bits)");
    }
    return singleKey(JwtAuthenticator.hmacAlgorithms(), new SecretKeySpec(secret, "HmacSHA256"));
  }

  private static JWSKeySelector<SecurityContext> pemKeys(Path file) {
    String pem = new String(read(file, "jwt-public-key-file"), StandardCharsets.US_ASCII);
    int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = pem.indexOf("-----END PUBLIC KEY-----");
    if (begin < 0 || end < begin) {
      throw invalid("jwt-public-key-file must be a PEM 'BEGIN PUBLIC KEY' block");
    }
    byte[] der;
    try {
      der =
          Base64.getMimeDecoder()
              .decode(pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end));
    } catch (IllegalArgumentException e) {
      throw invalid("jwt-public-key-file is not valid base64");
    }
    PublicKey key = null;
    for (String type : List.of("RSA", "EC")) {
      try {
        key = KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
        break;
      } catch (java.security.GeneralSecurityException e) {
        // not this type; try the next
      }
    }
    if (key instanceof RSAPublicKey) {
      return singleKey(JwtAuthenticator.rsaAlgorithms(), key);
    } else if (key instanceof ECPublicKey) {
      return singleKey(JwtAuthenticator.ecAlgorithms(), key);
    }
    throw invalid("jwt-public-key-file holds neither an RSA nor an EC public key");
  }

  /**
   * One configured key verifies whatever key id a token names, but only for the algorithms of its
   * own family (so a public key can never be taken as an HMAC secret).
   */
  private static JWSKeySelector<SecurityContext> singleKey(Set<JWSAlgorithm> algorithms, Key key) {
    return (header, context) ->
        algorithms.contains(header.getAlgorithm()) ? List.of(key) : List.of();
  }

  private static JWSKeySelector<SecurityContext> jwksKeys(Path file) {
    JWKSet set;
    try {
      set = JWKSet.parse(new String(read(file, "jwks-file"), StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw invalid("jwks-file is not a valid JSON Web Key Set");
    }
    Set<JWSAlgorithm> algorithms = new HashSet<>();
    for (var key : set.getKeys()) {
      if (key.getKeyType() == KeyType.RSA) {
        algorithms.addAll(JwtAuthenticator.rsaAlgorithms());
      } else if (key.getKeyType() == KeyType.EC) {
        algorithms.addAll(JwtAuthenticator.ecAlgorithms());
      }
    }
    if (algorithms.isEmpty()) {
      throw invalid("jwks-file holds no RSA or EC key");
    }
    return new JWSVerificationKeySelector<>(
        algorithms, new ImmutableJWKSet<>(set.toPublicJWKSet()));
  }

  static byte[] read(Path file, String setting) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw invalid(
          setting + " cannot be read: " + file + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  static PatchbayException invalid(String message) {
    return new PatchbayException(400, "Invalid configuration: " + message);
  }

  private static Path required(@org.jspecify.annotations.Nullable Path p) {
    if (p == null) {
      throw invalid("a file setting is missing");
    }
    return p;
  }
}
