package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FanOutTest {
  @Test
  void run_childServer_everySubscriberGetsEveryChangeAndMemoryIsMeasured(@TempDir Path dir) {
    // 7 subscribers on 2 documents (4 and 3), 3 changes per writer.
    FanOut.Spec spec = new FanOut.Spec(7, 2, 3, 20, Duration.ofSeconds(30), Duration.ofSeconds(60));
    try (Driver driver = new Driver(1);
        ChildServer server = ChildServer.start("memory", dir, 64, List.of("-Xmx256m"))) {
      Report r =
          FanOut.run(
              driver, server.uri(), "patchbay-memory", server, spec, true, BroadcastTest.NOWHERE);
      assertThat(r.getLong("sent")).isEqualTo(6);
      assertThat(r.getLong("errors")).isZero();
      assertThat(r.getLong("expectedDeliveries")).isEqualTo(21);
      assertThat(r.getLong("delivered")).isEqualTo(21);
      assertThat(r.getLong("deliverySamples")).isEqualTo(21);
      // One "last subscriber" sample per change: 2 writers x 3 changes.
      assertThat(r.getLong("lastSubscriberSamples")).isEqualTo(6);
      assertThat(r.get("complete")).isEqualTo(true);
      assertThat(r.getLong("serverHeapBefore")).isPositive();
      assertThat(r.getLong("serverHeapAfter")).isPositive();
      assertThat(r.values()).containsKeys("heapBytesPerConnection", "nonHeapRssBytesPerConnection");
    }
  }
}
