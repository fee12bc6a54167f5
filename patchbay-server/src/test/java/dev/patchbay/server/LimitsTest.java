package dev.patchbay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.store.DocStores;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Connection caps, the message rate, liveness and the metrics endpoint, over real sockets. */
class LimitsTest {

  static PatchbayServer start(ServerConfig.Builder config) {
    return PatchbayServer.start(config.port(0).store("memory").build(), DocStores.inMemory());
  }

  static URI ws(PatchbayServer server) {
    return URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  static JsonNode str(String s) {
    return Json.NODES.stringNode(s);
  }

  /** One OT change setting {@code /n} to {@code value}, based on {@code baseRev}. */
  static JsonNode change(String id, long baseRev, String valueJson) {
    return Json.parse(
        "[{\"id\":\""
            + id
            + "\",\"baseRev\":"
            + baseRev
            + ",\"rev\":"
            + (baseRev + 1)
            + ",\"ops\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":"
            + valueJson
            + "}],\"createdAt\":"
            + System.currentTimeMillis()
            + ",\"committedAt\":0}]");
  }

  private static int status(Throwable e) {
    Throwable t = e;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return ((WebSocketHandshakeException) t).getResponse().statusCode();
  }

  @Test
  void ping_method_answersPong() {
    try (PatchbayServer server = start(ServerConfig.builder());
        TestClient c = new TestClient(ws(server))) {
      assertThat(c.result("ping").stringValue()).isEqualTo("pong");
    }
  }

  @Test
  void upgrade_overTotalCap_refusedWith503() {
    try (PatchbayServer server =
            start(ServerConfig.builder().maxConnections(2).maxConnectionsPerAddress(2));
        TestClient a = new TestClient(ws(server));
        TestClient b = new TestClient(ws(server))) {
      assertThatThrownBy(() -> new TestClient(ws(server)))
          .satisfies(e -> assertThat(status(e)).isEqualTo(503));
      assertThat(server.metrics().scrape())
          .contains("patchbay_rejected_upgrades_total{reason=\"max-connections\"} 1.0");
      // A closed connection gives its slot back.
      a.close();
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          Duration.ofSeconds(10),
          () -> {
            while (true) {
              try (TestClient c = new TestClient(ws(server))) {
                assertThat(c.result("ping").stringValue()).isEqualTo("pong");
                return;
              } catch (CompletionException e) {
                assertThat(status(e)).isEqualTo(503); // the close is still in flight
                Thread.onSpinWait();
              }
            }
          });
    }
  }

  @Test
  void upgrade_overPerAddressCap_refusedWith429() {
    try (PatchbayServer server =
            start(ServerConfig.builder().maxConnections(10).maxConnectionsPerAddress(1));
        TestClient a = new TestClient(ws(server))) {
      assertThatThrownBy(() -> new TestClient(ws(server)))
          .satisfies(e -> assertThat(status(e)).isEqualTo(429));
      assertThat(a.result("ping").stringValue()).isEqualTo("pong");
    }
  }

  @Test
  void silentConnection_isPingedThenClosedAfterIdleTimeout() throws Exception {
    try (PatchbayServer server =
            start(
                ServerConfig.builder()
                    .pingInterval(Duration.ofMillis(100))
                    .idleTimeout(Duration.ofMillis(400)));
        TestClient answersPings = new TestClient(ws(server));
        RawWebSocket silent = new RawWebSocket(server.address().getPort(), 65_536)) {
      RawWebSocket.Frame first = silent.readFrame();
      assertThat(first.opcode()).isEqualTo(RawWebSocket.Frame.PING);
      RawWebSocket.Frame close = silent.readUntilClose();
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(1001);
      assertThat(close.text()).isEqualTo("idle timeout");
      // The JDK client answers pings, so it outlived the silent one.
      assertThat(answersPings.closed).isNotDone();
      assertThat(answersPings.result("ping").stringValue()).isEqualTo("pong");
      assertThat(server.metrics().scrape())
          .contains("patchbay_closed_connections_total{reason=\"idle\"}");
    }
  }

  @Test
  void connectionWithoutUpgrade_isClosedAfterHandshakeTimeout() throws Exception {
    try (PatchbayServer server =
            start(ServerConfig.builder().handshakeTimeout(Duration.ofMillis(300)));
        Socket socket = new Socket()) {
      socket.setSoTimeout(20_000);
      socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()));
      InputStream in = socket.getInputStream();
      long started = System.nanoTime();
      assertThat(in.read()).isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void requestsOverRate_answer429_thenAbuseClosesWith1008() throws Exception {
    try (PatchbayServer server =
            start(ServerConfig.builder().messagesPerSecond(1).messageBurst(5));
        RawWebSocket flooder = new RawWebSocket(server.address().getPort(), 65_536);
        TestClient polite = new TestClient(ws(server))) {
      for (int i = 1; i <= 20; i++) {
        flooder.sendText("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"ping\"}");
      }
      int pongs = 0;
      int limited = 0;
      RawWebSocket.Frame close = null;
      try {
        while (close == null) {
          RawWebSocket.Frame f = flooder.readFrame();
          if (f.opcode() == RawWebSocket.Frame.CLOSE) {
            close = f;
          } else if (f.opcode() == RawWebSocket.Frame.TEXT) {
            JsonNode answer = Json.parse(f.text());
            if (answer.has("result")) {
              pongs++;
            } else if (answer.path("error").path("code").asInt() == 429) {
              limited++;
            }
          }
        }
      } catch (EOFException e) {
        // closed without the frame: asserted below
      }
      assertThat(pongs).isBetween(5, 6); // the burst, plus at most one refill
      assertThat(limited).isPositive();
      assertThat(close).isNotNull();
      assertThat(close.closeCode()).isEqualTo(1008);
      assertThat(polite.result("ping").stringValue()).isEqualTo("pong");
      assertThat(server.metrics().scrape())
          .contains("patchbay_closed_connections_total{reason=\"rate-limit\"} 1.0")
          .contains("patchbay_errors_total{code=\"429\"}");
    }
  }

  @Test
  void metrics_afterTraffic_exposeTheNamedSeries() throws IOException, InterruptedException {
    try (PatchbayServer server = start(ServerConfig.builder());
        TestClient a = new TestClient(ws(server));
        TestClient b = new TestClient(ws(server))) {
      b.result("subscribe", str("m1"));
      a.result("commitChanges", str("m1"), change("metricsChange1", 0, "1"));
      b.nextNotification();
      a.call("getDoc", str(""));
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                      .timeout(Duration.ofSeconds(20))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      assertThat(response.body())
          .contains("patchbay_connections 2.0")
          .contains("patchbay_documents_loaded 1.0")
          .contains("patchbay_messages_in_total{method=\"commitChanges\"} 1.0")
          .contains("patchbay_messages_out_total{method=\"changesCommitted\"} 1.0")
          .contains("patchbay_commits_total 1.0")
          .contains("patchbay_commit_latency_seconds_bucket")
          .contains("patchbay_fanout_latency_seconds_count 1")
          .contains("patchbay_store_write_latency_seconds_count 1")
          .contains("patchbay_errors_total{code=\"400\"} 1.0")
          .doesNotContain("metricsChange1");
    }
  }
}
