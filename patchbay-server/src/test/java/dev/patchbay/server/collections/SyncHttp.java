package dev.patchbay.server.collections;

import dev.patchbay.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** A small JDK HttpClient wrapper for the {@code /sync} routes (tests). */
final class SyncHttp {
  /** A status and the parsed JSON body. */
  record Res(int status, JsonNode body) {}

  /** One client for every test: creating one costs threads and time. */
  static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private final HttpClient client = CLIENT;
  private final String base;
  private final @Nullable String token;

  SyncHttp(String base, @Nullable String token) {
    this.base = base;
    this.token = token;
  }

  SyncHttp withToken(@Nullable String other) {
    return new SyncHttp(base, other);
  }

  Res get(String path) {
    return send("GET", path, null);
  }

  Res post(String path, String json) {
    return send("POST", path, json);
  }

  Res patch(String path, String json) {
    return send("PATCH", path, json);
  }

  Res delete(String path) {
    return send("DELETE", path, null);
  }

  Res send(String method, String path, @Nullable String json) {
    return sendBytes(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
  }

  Res sendBytes(String method, String path, byte @Nullable [] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String text = r.body();
      return new Res(r.statusCode(), text.isEmpty() ? Json.object() : Json.parse(text));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends a request without a body and returns only the status (for non-JSON answers). */
  int sendRaw(String method, String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
