package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TrafficWarmUpTest {
  @Test
  void run_drivesTrafficThroughAThrowAwayServer_andLeavesNothingBehind() throws IOException {
    Set<Path> before = benchDirs();
    long done = TrafficWarmUp.run(Duration.ofSeconds(2));
    assertThat(done).isGreaterThan(100);
    assertThat(benchDirs()).isEqualTo(before);
  }

  private static Set<Path> benchDirs() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (Stream<Path> entries = Files.list(tmp)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("patchbay-bench-"))
          .collect(Collectors.toSet());
    }
  }
}
