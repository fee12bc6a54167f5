package dev.patchbay.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code patchbay} command line. */
@Command(
    name = "patchbay",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Real-time, offline-first JSON document sync.",
    subcommands = {
      ServeCommand.class,
      CommandLine.HelpCommand.class,
      dev.patchbay.loadgen.BenchCommand.class
    })
public final class Main {
  private Main() {}

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    int status = new CommandLine(new Main()).execute(args);
    if (status != 0 || args.length == 0 || !args[0].equals("serve")) {
      System.exit(status);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"patchbay " + dev.patchbay.server.PatchbayServer.version()};
    }
  }
}
