package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.TestClient;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.store.sqlite.SqliteStores;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@link PatchbayServer#close()} while commits are in flight: each commit the engine took is
 * finished and answered (or refused with 503 once closing), every acknowledged change is durable,
 * and nothing half-written is left.
 */
class InProcessShutdownTest {
  @TempDir Path dataDir;

  @Test
  void close_finishesInFlightCommitsBeforeClosingTheStore() throws Exception {
    PatchbayServer server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).dataDir(dataDir).build(),
            SqliteStores.builder(dataDir).open());
    String uri = "ws://127.0.0.1:" + server.address().getPort() + "/ws";
    Set<String> acked = new HashSet<>();
    int refused = 0;
    Thread closer = new Thread(server::close, "closer");
    try (TestClient client = new TestClient(java.net.URI.create(uri))) {
      int sent = 300;
      for (int n = 1; n <= sent; n++) {
        String commit =
            "{\"jsonrpc\":\"2.0\",\"id\":"
                + n
                + ",\"method\":\"commitChanges\",\"params\":[\"shut\",[{\"id\":\"s"
                + n
                + "\",\"ops\":[{\"op\":\"@inc\",\"path\":\"/n\",\"value\":1}]}]]}";
        try {
          client.send(commit);
        } catch (java.util.concurrent.CompletionException closedByServer) {
          // Once the server is closing it may close this connection before all 300 are sent.
          assertThat(n).as("a send failed before close began").isGreaterThan(100);
          break;
        }
        if (n == 100) {
          // Close while commits are queued and in flight, once some have been answered.
          for (int answered = 0; answered < 20; ) {
            JsonNode early = client.unmatched.poll(10, TimeUnit.SECONDS);
            assertThat(early).as("early answer").isNotNull();
            if (early.has("result")) {
              JsonNode changes = early.get("result").get("changes");
              acked.add(changes.get(changes.size() - 1).get("id").stringValue());
              answered++;
            }
          }
          closer.start();
        }
      }
      closer.join(30_000);
      assertThat(closer.isAlive()).isFalse();
      // Collect the answers that made it out before the connections closed.
      JsonNode answer;
      while ((answer = client.unmatched.poll(2, TimeUnit.SECONDS)) != null) {
        if (answer.has("result")) {
          JsonNode changes = answer.get("result").get("changes");
          acked.add(changes.get(changes.size() - 1).get("id").stringValue());
        } else {
          assertThat(answer.get("error").get("code").asInt()).isEqualTo(503);
          refused++;
        }
      }
    }
    assertThat(acked).isNotEmpty();
    try (DocStore reopened = SqliteStores.builder(dataDir).open()) {
      Set<String> stored = new HashSet<>();
      reopened.listChanges("shut", 0).forEach(c -> stored.add(c.id()));
      assertThat(stored).containsAll(acked);
      assertThat(stored).hasSize(acked.size());
    }
    assertThat(refused).isGreaterThanOrEqualTo(0);
  }
}
