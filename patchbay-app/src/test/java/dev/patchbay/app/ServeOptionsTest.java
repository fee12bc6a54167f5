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
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = serve(err, dir, "--warm-up-seconds", "-1");
    assertThat(status).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--warm-up-seconds must be between 0 and 600, was -1");
    assertThat(dir.toFile().list()).isEmpty(); // no store was opened
  }

  @Test
  void outboundTotalBelowTheConnectionCap_isRefusedNamingTheOption(@TempDir Path dir) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = serve(err, dir, "--max-outbound-bytes-total", "100000");
    assertThat(status).isNotZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("max-outbound-bytes-total must be 0 (a quarter of the heap) or at least");
  }

  /**
   * Runs {@code serve} on an ephemeral port without the warm-up; its stderr goes to {@code err}.
   */
  private static int serve(ByteArrayOutputStream err, Path dir, String... options) {
    String[] args = new String[6 + options.length];
    String[] fixed = {"serve", "--port", "0", "--data-dir", dir.toString(), "--warm-up=false"};
    System.arraycopy(fixed, 0, args, 0, 6);
    System.arraycopy(options, 0, args, 6, options.length);
    PrintStream saved = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new CommandLine(Main.class).execute(args);
    } finally {
      System.setErr(saved);
    }
  }
}
