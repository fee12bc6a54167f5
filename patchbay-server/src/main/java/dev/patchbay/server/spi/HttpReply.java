package dev.patchbay.server.spi;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An {@link HttpEndpoint}'s answer. Instances are immutable; the body array must not be modified.
 *
 * @param status the HTTP status
 * @param contentType the {@code Content-Type}
 * @param body the body
 */
public record HttpReply(int status, String contentType, byte[] body) {

  /** Validates the components. */
  public HttpReply {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  /** Returns a reply with a JSON body. */
  public static HttpReply json(int status, String json) {
    return new HttpReply(
        status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
  }
}
