package dev.patchbay.server.spi;

import java.util.Objects;

/** What an {@link Authenticator} decided about a connection's credentials. */
public sealed interface AuthResult {

  /** Returns an acceptance of {@code identity}. */
  static AuthResult accept(Identity identity) {
    return new Accepted(identity);
  }

  /** Returns a rejection with HTTP 401: no credentials, or ones that are not valid. */
  static AuthResult unauthorized(String reason) {
    return new Rejected(401, reason);
  }

  /** Returns a rejection with HTTP 403: valid credentials that grant no access here. */
  static AuthResult forbidden(String reason) {
    return new Rejected(403, reason);
  }

  /**
   * The connection may open as {@code identity}.
   *
   * @param identity who the client is and what it may do
   */
  record Accepted(Identity identity) implements AuthResult {
    /** Checks the identity is present. */
    public Accepted {
      Objects.requireNonNull(identity, "identity");
    }
  }

  /**
   * The upgrade is answered with {@code status} and {@code reason} and the connection closed.
   *
   * @param status 401 or 403
   * @param reason a short reason shown to the client; must not contain the token
   */
  record Rejected(int status, String reason) implements AuthResult {
    /** Checks the status is 401 or 403 and the reason one short line. */
    public Rejected {
      if (status != 401 && status != 403) {
        throw new IllegalArgumentException("a rejection is 401 or 403, was " + status);
      }
      Objects.requireNonNull(reason, "reason");
      if (reason.length() > 200 || reason.contains("\n")) {
        throw new IllegalArgumentException("a rejection reason is one line of at most 200 chars");
      }
    }
  }
}
