package dev.patchbay.server.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a client presented when it opened a connection. The token is a secret: implementations must
 * never log it, put it in an exception message or keep it after authenticating.
 *
 * @param token the bearer token from {@code Authorization: Bearer}, a {@code token-} or {@code
 *     bearer.} subprotocol, or the {@code token} query parameter; {@code null} when none was sent
 * @param remoteAddress the client's address as the transport sees it (for logs and rate rules)
 */
public record Credentials(@Nullable String token, String remoteAddress) {
  /** Validates the components. */
  public Credentials {
    Objects.requireNonNull(remoteAddress, "remoteAddress");
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "Credentials[token="
        + (token == null ? "none" : "***")
        + ", from "
        + remoteAddress
        + "]";
  }
}
