package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.store.DocStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class BenchCommandTest {
  private static String stdoutOf(int[] status, String... args) {
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      status[0] = BenchCommand.execute(args);
    } finally {
      System.setOut(saved);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Runs the command as {@link #stdoutOf} does and returns what it printed on stderr. */
  private static String stderrOf(int[] status, String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      stdoutOf(status, args);
    } finally {
      System.setErr(saved);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void broadcast_json_printsOneParsableObjectWithCompleteAccounting() {
    int[] status = new int[1];
    String out =
        stdoutOf(
            status,
            "broadcast",
            "--store",
            "memory",
            "-n",
            "4",
            "-m",
            "2",
            "-k",
            "3",
            "-r",
            "40",
            "--warmup-ops",
            "2",
            "--json",
            "--quiet");
    assertThat(status[0]).isZero();
    JsonNode json = Json.parse(out.trim());
    assertThat(json.path("workload").asString()).isEqualTo("broadcast");
    assertThat(json.path("expectedDeliveries").asLong()).isEqualTo(12);
    assertThat(json.path("delivered").asLong()).isEqualTo(12);
    assertThat(json.path("complete").asBoolean()).isTrue();
  }

  @Test
  void commit_human_printsNameValueLines() {
    int[] status = new int[1];
    String out = stdoutOf(status, "commit", "--store", "memory", "-n", "2", "-k", "3", "--quiet");
    assertThat(status[0]).isZero();
    assertThat(out).contains("workload").containsPattern("committed\\s+6");
  }

  @Test
  void sweep_echoWithChart_writesCsvAndPngAndReportsThem(@TempDir Path dir) {
    Path csv = dir.resolve("sweep.csv");
    Path png = dir.resolve("p99.png");
    int[] status = new int[1];
    String out =
        stdoutOf(
            status,
            "sweep",
            "--systems",
            "echo",
            "--rates",
            "20",
            "-n",
            "4",
            "-m",
            "2",
            "-k",
            "2",
            "--warmup-ops",
            "0",
            "--csv",
            csv.toString(),
            "--chart",
            png.toString(),
            "--json",
            "--quiet");
    assertThat(status[0]).isZero();
    JsonNode json = Json.parse(out.trim());
    assertThat(json.path("points").asInt()).isEqualTo(1);
    assertThat(json.path("chart").asString()).isEqualTo(png.toString());
    assertThat(csv).exists();
    assertThat(png).exists();
  }

  @Test
  void broadcast_urlNotLoopback_exitsWithUsageError() {
    int[] status = new int[1];
    stdoutOf(status, "broadcast", "--url", "ws://10.1.2.3:8787/ws", "--quiet");
    assertThat(status[0]).isEqualTo(2);
  }

  @Test
  void warmUpSeconds_withUrl_isRefused() {
    int[] status = new int[1];
    String err =
        stderrOf(
            status,
            "commit",
            "--url",
            "ws://127.0.0.1:9/ws",
            "--warm-up-seconds",
            "5",
            "-n",
            "1",
            "-k",
            "1",
            "--quiet");
    assertThat(status[0]).isEqualTo(2);
    assertThat(err).contains("--warm-up-seconds warms a server this command starts");
  }

  @Test
  void driverWarmUp_withoutUrl_isRefused() {
    int[] status = new int[1];
    String err =
        stderrOf(
            status, "commit", "--driver-warm-up-seconds", "1", "-n", "1", "-k", "1", "--quiet");
    assertThat(status[0]).isEqualTo(2);
    assertThat(err).contains("--driver-warm-up-seconds needs --url");
  }

  /** The driver warms up on a scratch server: the server under test sees only the measured run. */
  @Test
  void driverWarmUp_withUrl_neverReachesTheServerUnderTest() {
    try (PatchbayServer server =
        PatchbayServer.start(
            Target.benchConfig("memory", Path.of("unused"), 100), DocStores.inMemory())) {
      int[] status = new int[1];
      String out =
          stdoutOf(
              status,
              "commit",
              "--url",
              "ws://127.0.0.1:" + server.address().getPort() + "/ws",
              "--driver-warm-up-seconds",
              "1",
              "-n",
              "2",
              "-k",
              "3",
              "--json",
              "--quiet");
      assertThat(status[0]).isZero();
      assertThat(Json.parse(out.trim()).path("committed").asLong()).isEqualTo(6);
      assertThat(server.metrics().scrape()).contains("patchbay_commits_total 6.0");
    }
  }
}
