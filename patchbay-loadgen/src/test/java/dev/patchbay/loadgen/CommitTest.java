package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommitTest {
  @Test
  void run_threeClientsOnOneDocument_everyChangeCommittedAndTimed() {
    try (Driver driver = new Driver(1);
        Target target = Target.inProcess("sqlite", 16)) {
      Report r =
          Commit.run(
              driver,
              target,
              new Commit.Spec(3, 7, Duration.ofSeconds(60)),
              true,
              BroadcastTest.NOWHERE);
      assertThat(r.getLong("committed")).isEqualTo(21);
      assertThat(r.getLong("errors")).isZero();
      assertThat(r.getLong("ackSamples")).isEqualTo(21);
      assertThat(r.get("complete")).isEqualTo(true);
      assertThat((Double) r.get("commitsPerSec")).isPositive();
    }
  }
}
