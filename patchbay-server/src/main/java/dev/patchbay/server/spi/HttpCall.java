package dev.patchbay.server.spi;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request as the transport hands it to an {@link HttpEndpoint}: already aggregated and
 * within the body limit. Instances are immutable; the body array must not be modified.
 *
 * @param method the method, upper case ({@code GET}, {@code POST} …)
 * @param path the decoded path, without the query
 * @param query the decoded query parameters, in order
 * @param authorization the {@code Authorization} header, or {@code null}; a secret, never logged
 * @param body the request body (empty when none)
 * @param remoteAddress the client's address as the transport sees it
 */
public record HttpCall(
    String method,
    String path,
    Map<String, List<String>> query,
    @Nullable String authorization,
    byte[] body,
    String remoteAddress) {

  /** Validates and copies the components. */
  public HttpCall {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    query = Map.copyOf(query);
  }

  /** Returns the first value of a query parameter, or {@code null}. */
  public @Nullable String param(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Never shows the authorization header. */
  @Override
  public String toString() {
    return "HttpCall[" + method + " " + path + "]";
  }
}
