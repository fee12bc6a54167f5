package dev.patchbay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconnectPolicyTest {

  @Test
  void delay_noJitter_doublesFromOneSecondUpToThirty() {
    List<Long> seconds = new ArrayList<>();
    for (int attempt = 1; attempt <= 8; attempt++) {
      seconds.add(ReconnectPolicy.DEFAULT.delay(attempt, 0).toSeconds());
    }
    assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L);
  }

  @Test
  void delay_fullRandom_cutsAtMostTheJitterFraction() {
    assertThat(ReconnectPolicy.DEFAULT.delay(1, 0.999))
        .isBetween(Duration.ofMillis(800), Duration.ofMillis(1000));
    assertThat(ReconnectPolicy.DEFAULT.delay(100, 0.5)).isEqualTo(Duration.ofSeconds(27));
  }

  @Test
  void constructor_invalidValues_throw() {
    assertThatThrownBy(() -> new ReconnectPolicy(Duration.ZERO, Duration.ofSeconds(1), 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new ReconnectPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReconnectPolicy.DEFAULT.withJitter(1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ReconnectPolicy.DEFAULT.withMaxAttempts(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
