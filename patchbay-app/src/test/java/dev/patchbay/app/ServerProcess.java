package dev.patchbay.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** {@code patchbay serve} run as a separate JVM process on a data directory, for process tests. */
final class ServerProcess {
  private static final Pattern LISTENING = Pattern.compile("listening on ws://([^ ]+)/ws");

  final Process process;
  final URI uri;
  final ConcurrentLinkedQueue<String> output = new ConcurrentLinkedQueue<>();
  private @Nullable Thread drain;

  private ServerProcess(Process process, URI uri) {
    this.process = process;
    this.uri = uri;
  }

  /** Starts the server on a free port and waits until it listens. */
  static ServerProcess start(Path dataDir) throws IOException {
    return start(dataDir, List.of());
  }

  /**
   * Starts the server on a free port with {@code extraArgs} added to {@code patchbay serve} (e.g.
   * {@code --collection-rule}) and waits until it listens.
   */
  static ServerProcess start(Path dataDir, List<String> extraArgs) throws IOException {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("serve");
    command.add("--port");
    command.add("0");
    command.add("--data-dir");
    command.add(dataDir.toString());
    // Test clients commit as fast as acknowledgements come back; rate limits are tested elsewhere.
    command.add("--max-messages-per-second");
    command.add("1000000");
    command.add("--message-burst");
    command.add("1000000");
    command.addAll(extraArgs);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find() && !line.contains("(store")) {
        continue; // the log line; the machine-readable line on stdout follows it
      }
      m = LISTENING.matcher(line);
      if (m.find()) {
        ServerProcess server = new ServerProcess(process, URI.create("ws://" + m.group(1) + "/ws"));
        Thread drain =
            new Thread(
                () -> {
                  try {
                    out.lines().forEach(server.output::add);
                  } catch (java.io.UncheckedIOException closed) {
                    // the process was stopped and its output closed under us: nothing more to read
                  }
                },
                "server-output");
        drain.setDaemon(true);
        drain.start();
        server.drain = drain;
        return server;
      }
    }
    throw new AssertionError("server exited before listening:\n" + seen);
  }

  /** The HTTP base of the server's routes (the same port as the WebSocket), without a slash. */
  String httpBase() {
    return "http://" + uri.getHost() + ":" + uri.getPort();
  }

  /** Stops the server as a service manager would (SIGTERM, so it closes its store) and waits. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(
          "the server did not stop within 30 s:\n" + String.join("\n", output));
    }
  }
}
