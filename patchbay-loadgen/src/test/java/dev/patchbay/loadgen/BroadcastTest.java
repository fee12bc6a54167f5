package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BroadcastTest {
  static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

  static Broadcast.Spec tiny() {
    // 5 clients on 2 documents: 3 on one, 2 on the other, so the accounting is not symmetric.
    return new Broadcast.Spec(5, 2, 6, 50, Duration.ofSeconds(30), Duration.ofSeconds(60));
  }

  static void assertAllDelivered(Report r, Broadcast.Spec spec) {
    long ops = (long) spec.clients() * spec.opsPerClient();
    // Doc 0 has 3 clients (each op reaches 2 others), doc 1 has 2 (each op reaches 1 other).
    assertThat(spec.expectedDeliveries()).isEqualTo(3 * 6 * 2 + 2 * 6 * 1);
    assertThat(r.getLong("sent")).isEqualTo(ops);
    assertThat(r.getLong("acked")).isEqualTo(ops);
    assertThat(r.getLong("errors")).isZero();
    assertThat(r.getLong("expectedDeliveries")).isEqualTo(spec.expectedDeliveries());
    assertThat(r.getLong("delivered")).isEqualTo(spec.expectedDeliveries());
    assertThat(r.getLong("latencySamples")).isEqualTo(spec.expectedDeliveries());
    assertThat(r.getLong("ackSamples")).isEqualTo(ops);
    assertThat(r.get("complete")).isEqualTo(true);
  }

  @Test
  void run_memoryServer_deliversEveryOpToEveryOtherClient() {
    Broadcast.Spec spec = tiny();
    try (Driver driver = new Driver(1);
        Target target = Target.inProcess("memory", 32)) {
      Report r = Broadcast.run(driver, target, spec, true, NOWHERE);
      assertAllDelivered(r, spec);
      assertThat(r.get("system")).isEqualTo("patchbay-memory");
      JsonNode json = Json.parse(r.toJson());
      assertThat(json.path("delivered").asLong()).isEqualTo(spec.expectedDeliveries());
      assertThat(json.path("latencyP99ms").isNumber()).isTrue();
    }
  }

  @Test
  void run_sqliteServer_deliversEveryOpToEveryOtherClient() {
    Broadcast.Spec spec = tiny();
    try (Driver driver = new Driver(2);
        Target target = Target.inProcess("sqlite", 32)) {
      assertAllDelivered(Broadcast.run(driver, target, spec, false, NOWHERE), spec);
    }
  }

  @Test
  void run_echoBaseline_deliversEveryOpToEveryOtherClient() {
    Broadcast.Spec spec = tiny();
    try (Driver driver = new Driver(1);
        Target target = Target.echo()) {
      Report r = Broadcast.run(driver, target, spec, false, NOWHERE);
      assertAllDelivered(r, spec);
      assertThat(r.get("system")).isEqualTo("echo");
    }
  }

  @Test
  void spec_oneClientOnADocument_isRefused() {
    assertThatThrownBy(
            () -> new Broadcast.Spec(3, 2, 1, 1, Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 clients per document");
  }

  @Test
  void url_notLoopback_isRefused() {
    assertThatThrownBy(() -> Target.url(java.net.URI.create("ws://10.1.2.3:8787/ws"), "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback");
  }
}
