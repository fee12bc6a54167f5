package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchSubcommandTest {
  @Test
  void bench_help_listsEveryWorkload() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(Main.class);
    cli.setOut(new PrintWriter(out));
    int status = cli.execute("bench", "--help");
    assertThat(status).isZero();
    assertThat(out.toString())
        .contains("broadcast", "commit", "fan-out", "cold-open", "echo", "sweep", "chart");
  }
}
