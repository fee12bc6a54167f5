package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.TestClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Starts {@code patchbay serve} on the SQLite default as a separate process, commits from several
 * clients, kills the process with SIGKILL in the middle of the load, restarts it on the same data
 * directory and checks that every acknowledged change is there once, with dense revisions.
 */
class CrashDurabilityTest {
  private static final Pattern LISTENING = Pattern.compile("listening on ws://([^ ]+)/ws");
  private static final int CLIENTS = 6;

  @TempDir Path dataDir;

  @Test
  void sigkillMidLoad_loosesNoAcknowledgedChange() throws Exception {
    Process first = startServer();
    URI uri = awaitListening(first);
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

    Process second = startServer();
    try {
      URI again = awaitListening(second);
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

  private Process startServer() throws IOException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("serve");
    command.add("--port");
    command.add("0");
    command.add("--data-dir");
    command.add(dataDir.toString());
    // The clients commit as fast as acknowledgements come back; the rate limit is not tested here.
    command.add("--max-messages-per-second");
    command.add("1000000");
    command.add("--message-burst");
    command.add("1000000");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Files.createDirectories(dataDir);
    return builder.start();
  }

  private static URI awaitListening(Process process) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "server-output");
        drain.setDaemon(true);
        drain.start();
        return URI.create("ws://" + m.group(1) + "/ws");
      }
    }
    throw new AssertionError("server exited before listening:\n" + seen);
  }
}
