package dev.patchbay.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class WarmUpTest {
  @Test
  void run_generousBudget_commitsEveryChangeAndLeavesNoFileBehind() throws IOException {
    Set<Path> before = warmUpDirs();
    assertThat(WarmUp.run(Duration.ofSeconds(60))).isEqualTo(400);
    assertThat(warmUpDirs()).isEqualTo(before);
  }

  @Test
  void run_noBudget_stopsAtOnce() {
    assertThat(WarmUp.run(Duration.ZERO)).isZero();
  }

  private static Set<Path> warmUpDirs() throws IOException {
    try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("patchbay-warm-up"))
          .collect(Collectors.toSet());
    }
  }
}
