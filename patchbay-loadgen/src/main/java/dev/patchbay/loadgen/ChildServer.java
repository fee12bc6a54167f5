package dev.patchbay.loadgen;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Patchbay server in a child JVM ({@link ServerHost}) on this machine's loopback, started with
 * this JVM's class path and the given JVM options. Used where the driver's own objects must not be
 * counted (heap per connection) or where the server must be cold (a fresh JVM).
 */
final class ChildServer implements AutoCloseable {
  /** Heap used after a full GC and resident set size, in bytes (-1 when unknown). */
  record Memory(long heapUsed, long rss) {}

  /** How long the child may take to start or to answer (a full GC of a large heap included). */
  private static final long ANSWER_SECONDS = 60;

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(64);
  private final URI uri;

  private ChildServer(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith("port ") || line.startsWith("mem ")) {
                    lines.offer(line, 10, TimeUnit.SECONDS);
                  }
                }
              } catch (IOException e) {
                // The child exited; readers of `lines` time out with a clear message.
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "patchbay-bench-child-1");
    reader.setDaemon(true);
    reader.start();
    String port = expect("port ", ANSWER_SECONDS);
    this.uri = URI.create("ws://127.0.0.1:" + port.trim() + "/ws");
  }

  static ChildServer start(
      String store, Path dataDir, int maxConnections, List<String> jvmOptions) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ServerHost.class.getName());
    command.add(store);
    command.add(dataDir.toString());
    command.add(Integer.toString(maxConnections));
    try {
      Process process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      try {
        return new ChildServer(process);
      } catch (RuntimeException e) {
        process.destroyForcibly();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the server JVM", e);
    }
  }

  URI uri() {
    return uri;
  }

  /** Asks the child for its heap after a full GC and its RSS. */
  Memory memory() {
    send("mem");
    String[] parts = expect("mem ", ANSWER_SECONDS).trim().split(" ");
    return new Memory(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
  }

  private void send(String command) {
    try {
      commands.write(command + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("the server JVM is gone", e);
    }
  }

  private String expect(String prefix, long seconds) {
    try {
      String line = lines.poll(seconds, TimeUnit.SECONDS);
      if (line == null || !line.startsWith(prefix)) {
        throw new IllegalStateException(
            "the server JVM did not answer '" + prefix.trim() + "' within " + seconds + " s");
      }
      return line.substring(prefix.length());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    try {
      send("exit");
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (RuntimeException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
