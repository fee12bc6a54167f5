package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.TestClient;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM while a client is committing: the server stops, says so, and every change it acknowledged
 * before stopping is there after a restart.
 */
class GracefulShutdownTest {
  @TempDir Path dataDir;

  @Test
  void sigterm_stopsGracefullyAndKeepsAcknowledgedChanges() throws Exception {
    ServerProcess server = ServerProcess.start(dataDir);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    CountDownLatch some = new CountDownLatch(20);
    Thread writer =
        new Thread(
            () -> {
              try (TestClient c = new TestClient(server.uri)) {
                for (int n = 0; n < 100_000; n++) {
                  JsonNode answer =
                      c.call(
                          "commitChanges",
                          Json.NODES.stringNode("graceful"),
                          Json.parse(
                              "[{\"id\":\"g"
                                  + n
                                  + "\",\"ops\":[{\"op\":\"@inc\",\"path\":\"/n\",\"value\":1}]}]"));
                  if (answer.has("error")) {
                    break; // 503 while shutting down: not acknowledged
                  }
                  acked.add("g" + n);
                  some.countDown();
                }
              } catch (Throwable closed) {
                // the connection closes under the client
              }
            },
            "writer");
    writer.start();
    assertThat(some.await(60, TimeUnit.SECONDS)).isTrue();
    server.process.destroy(); // SIGTERM
    assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    writer.join(30_000);
    assertThat(server.process.exitValue()).isEqualTo(143); // 128 + SIGTERM

    ServerProcess again = ServerProcess.start(dataDir);
    try (TestClient reader = new TestClient(again.uri)) {
      JsonNode log =
          reader.result(
              "getChangesSince", Json.NODES.stringNode("graceful"), Json.NODES.numberNode(0));
      Set<String> stored = ConcurrentHashMap.newKeySet();
      log.forEach(c -> stored.add(c.get("id").stringValue()));
      assertThat(stored).containsAll(acked);
      assertThat(stored).hasSize(log.size());
    } finally {
      again.process.destroy();
      again.process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
