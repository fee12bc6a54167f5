package dev.patchbay.server.spi;

import java.security.Principal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Who is on the other end of a connection, as an {@link Authenticator} established it at the
 * upgrade. Holds no secret: the token it came from is not kept.
 *
 * @param subject the identity's name (a JWT's {@code sub}, a token file line's {@code sub=})
 * @param claims the verified claims (for a JWT, its claims set; may be empty)
 * @param access the document rights the credential grants; {@link Authorizer#byIdentity()} checks
 *     these
 * @param expiresAt when the credential stops being valid; the server closes the connection then
 *     with {@link #CLOSE_TOKEN_EXPIRED}. {@code null} for credentials that do not expire
 */
public record Identity(
    String subject, Map<String, Object> claims, DocAccess access, @Nullable Instant expiresAt)
    implements Principal {

  /**
   * The WebSocket close code of a connection whose credential expired (4001, reason {@code token
   * expired}); a client tells it apart from a network failure (1006) or a shutdown (1001) and
   * reconnects with a fresh token.
   */
  public static final int CLOSE_TOKEN_EXPIRED = 4001;

  private static final Identity ANONYMOUS =
      new Identity("anonymous", Map.of(), DocAccess.all(), null);

  /** Validates the components and copies the claims. */
  public Identity {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(access, "access");
    // A JSON null claim has no Java map value here; dropping it keeps the copy immutable.
    Map<String, Object> copy = new LinkedHashMap<>();
    claims.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            copy.put(k, v);
          }
        });
    claims = Collections.unmodifiableMap(copy);
  }

  /** Returns the identity of every connection to a server without authentication: all rights. */
  public static Identity anonymous() {
    return ANONYMOUS;
  }

  /** Returns the subject. */
  @Override
  public String getName() {
    return subject;
  }
}
