package dev.patchbay.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Collections on the SQLite store through the server: concurrent writers over HTTP, then a restart
 * that keeps records, versions, tombstones and the change feed's sequence.
 */
class SqliteCollectionsEndToEndTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path dir;

  private record Res(int status, JsonNode body) {}

  private static Res call(PatchbayServer server, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Res(r.statusCode(), Json.parse(r.body()));
  }

  private PatchbayServer start() {
    return PatchbayServer.start(
        ServerConfig.builder().port(0).dataDir(dir).build(),
        SqliteStores.builder(dir).durability(SqliteStores.Durability.PROCESS_CRASH_SAFE).open());
  }

  @Test
  void concurrentWritesThenRestart_keepRecordsVersionsTombstonesAndTheFeed() throws Exception {
    PatchbayServer server = start();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    Res r =
                        call(
                            server,
                            "POST",
                            "/sync/todos",
                            "{\"recordId\":\"w"
                                + writer
                                + "-"
                                + i
                                + "\",\"data\":{\"i\":"
                                + i
                                + "}}");
                    assertThat(r.status()).isEqualTo(200);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(call(server, "DELETE", "/sync/todos/w0-0", null).status()).isEqualTo(200);
    assertThat(
            call(server, "PATCH", "/sync/todos/w1-1", "{\"delta\":{\"x\":1},\"baseVersion\":1}")
                .status())
        .isEqualTo(200);
    JsonNode before = call(server, "GET", "/sync/todos?cursor=0&limit=1000", null).body();
    server.close();

    PatchbayServer again = start();
    try {
      JsonNode after = call(again, "GET", "/sync/todos?cursor=0&limit=1000", null).body();
      assertThat(after).isEqualTo(before);
      assertThat(after.get("nextCursor").longValue()).isEqualTo(202);
      Set<Long> versions = new HashSet<>();
      after.get("records").forEach(r -> versions.add(r.get("version").longValue()));
      assertThat(versions).containsExactlyInAnyOrder(1L, 2L);
      assertThat(call(again, "GET", "/sync/todos/w0-0", null).body().get("deleted").booleanValue())
          .isTrue();
      Res patched =
          call(again, "PATCH", "/sync/todos/w1-1", "{\"delta\":{\"x\":2},\"baseVersion\":2}");
      assertThat(patched.body().get("record").get("version").longValue()).isEqualTo(3);
      JsonNode tail = call(again, "GET", "/sync/todos?cursor=202", null).body();
      assertThat(tail.get("records")).hasSize(1);
      assertThat(tail.get("nextCursor").longValue()).isEqualTo(203);
    } finally {
      again.close();
    }
  }
}
