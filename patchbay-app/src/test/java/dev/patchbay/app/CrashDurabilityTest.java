package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.TestClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Starts {@code patchbay serve} on the SQLite default as a separate process, commits from several
 * clients, kills the process with SIGKILL in the middle of the load, restarts it on the same data
 * directory and checks that every acknowledged change is there once, with dense revisions.
 */
class CrashDurabilityTest {
  private static final int CLIENTS = 6;

  @TempDir Path dataDir;

  @Test
  void sigkillMidLoad_loosesNoAcknowledgedChange() throws Exception {
    ServerProcess firstServer = ServerProcess.start(dataDir);
    Process first = firstServer.process;
    URI uri = firstServer.uri;
    Set<String> acked = ConcurrentHashMap.newKeySet();
    CountDownLatch enoughAcked = new CountDownLatch(CLIENTS * 10);
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      int client = i;
      pool.submit(
          () -> {
            try (TestClient c = new TestClient(uri)) {
              for (int n = 0; n < 10_000; n++) {
                String id = "k" + client + "-" + n;
                String doc = "durable-" + (n % 3);
                c.result(
                    "commitChanges",
                    Json.NODES.stringNode(doc),
                    Json.parse(
                        "[{\"id\":\""
                            + id
                            + "\",\"ops\":[{\"op\":\"@inc\",\"path\":\"/n\",\"value\":1}]}]"));
                acked.add(doc + " " + id);
                enoughAcked.countDown();
              }
            } catch (Throwable expected) {
              // The server dies under this client: its in-flight commit is simply not acknowledged.
            }
            return null;
          });
    }
    assertThat(enoughAcked.await(60, TimeUnit.SECONDS)).isTrue();
    first.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no flush
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    Set<String> ackedNow = new HashSet<>(acked);

    ServerProcess secondServer = ServerProcess.start(dataDir);
    Process second = secondServer.process;
    try {
      URI again = secondServer.uri;
      try (TestClient reader = new TestClient(again)) {
        Set<String> stored = new HashSet<>();
        for (int d = 0; d < 3; d++) {
          String doc = "durable-" + d;
          JsonNode log =
              reader.result(
                  "getChangesSince", Json.NODES.stringNode(doc), Json.NODES.numberNode(0));
          for (int r = 0; r < log.size(); r++) {
            assertThat(log.get(r).get("rev").asLong()).as("dense revisions").isEqualTo(r + 1);
            assertThat(stored.add(doc + " " + log.get(r).get("id").stringValue()))
                .as("no duplicate")
                .isTrue();
          }
        }
        assertThat(ackedNow).isNotEmpty();
        assertThat(stored).containsAll(ackedNow);
      }
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
