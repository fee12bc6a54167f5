package dev.patchbay.server.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Credentials;
import dev.patchbay.server.spi.DocAccess;
import dev.patchbay.server.spi.Identity;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a signed JWT: the signature against the configured keys (only algorithms of the key's
 * family are accepted, so an RSA public key can never be used as an HMAC secret), then {@code exp}
 * (required), {@code nbf}, {@code iss} and {@code aud} with a clock-skew tolerance. The document
 * rights come from the {@code patchbay} claim ({@link DocAccess#fromClaim}).
 */
final class JwtAuthenticator implements Authenticator {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final Duration skew;

  JwtAuthenticator(
      JWSKeySelector<SecurityContext> keys,
      @Nullable String issuer,
      @Nullable String audience,
      Duration skew) {
    this.skew = skew;
    JWTClaimsSet exact =
        issuer == null
            ? new JWTClaimsSet.Builder().build()
            : new JWTClaimsSet.Builder().issuer(issuer).build();
    Set<String> required = new HashSet<>(Set.of("exp"));
    if (issuer != null) {
      required.add("iss");
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(audience, exact, required);
    claims.setMaxClockSkew((int) skew.toSeconds());
    processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(keys);
    processor.setJWTClaimsSetVerifier(claims);
  }

  @Override
  public CompletionStage<AuthResult> authenticate(Credentials credentials) {
    return CompletableFuture.completedFuture(verify(credentials));
  }

  private AuthResult verify(Credentials credentials) {
    String token = credentials.token();
    if (token == null) {
      return AuthResult.unauthorized("missing token");
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ExpiredJWTException e) {
      return AuthResult.unauthorized("token expired");
    } catch (Exception e) {
      // Only the kind of failure is logged: some parse messages quote decoded token parts.
      log.debug(
          "JWT from {} rejected ({})", credentials.remoteAddress(), e.getClass().getSimpleName());
      return AuthResult.unauthorized("invalid token");
    }
    DocAccess access = DocAccess.fromClaim(claims.getClaim("patchbay"));
    if (access.isEmpty()) {
      return AuthResult.forbidden("token grants no document rights");
    }
    Date exp = claims.getExpirationTime();
    Instant expiresAt = exp == null ? null : exp.toInstant().plus(skew);
    String subject = claims.getSubject() == null ? "jwt" : claims.getSubject();
    return AuthResult.accept(new Identity(subject, claims.toJSONObject(), access, expiresAt));
  }

  static Set<JWSAlgorithm> hmacAlgorithms() {
    return Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
  }

  static Set<JWSAlgorithm> rsaAlgorithms() {
    return Set.of(
        JWSAlgorithm.RS256,
        JWSAlgorithm.RS384,
        JWSAlgorithm.RS512,
        JWSAlgorithm.PS256,
        JWSAlgorithm.PS384,
        JWSAlgorithm.PS512);
  }

  static Set<JWSAlgorithm> ecAlgorithms() {
    return Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
  }
}
