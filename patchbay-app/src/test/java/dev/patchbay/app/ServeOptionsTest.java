package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeOptionsTest {
  @Test
  void warmUpSeconds_outOfRange_isRefusedBeforeAnythingStarts(@TempDir Path dir) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status =
          new CommandLine(Main.class)
              .execute(
                  "serve",
                  "--port",
                  "0",
                  "--data-dir",
                  dir.toString(),
                  "--warm-up",
                  "false",
                  "--warm-up-seconds",
                  "-1");
    } finally {
      System.setErr(saved);
    }
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--warm-up-seconds must be between 0 and 600, was -1");
    assertThat(dir.toFile().list()).isEmpty(); // no store was opened
  }

  @Test
  void outboundTotalBelowTheConnectionCap_isRefusedNamingTheOption(@TempDir Path dir) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int status;
    try {
      status =
          new CommandLine(Main.class)
              .execute(
                  "serve",
                  "--port",
                  "0",
                  "--data-dir",
                  dir.toString(),
                  "--warm-up",
                  "false",
                  "--max-outbound-bytes-total",
                  "100000");
    } finally {
      System.setErr(saved);
    }
    assertThat(status).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("max-outbound-bytes-total must be 0 (a quarter of the heap) or at least");
  }
}
