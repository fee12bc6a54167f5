package dev.patchbay.loadgen;

import dev.patchbay.server.PatchbayServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of a server JVM that the bench starts as a child process ({@link ChildServer}), so
 * that its heap and RSS hold the server alone, or so that it starts cold. Arguments: store, data
 * directory, connection limit. It prints {@code port <n>} once serving, then reads commands on
 * stdin: {@code mem} answers {@code mem <heap used after GC> <RSS>} (bytes); {@code exit}, or the
 * end of stdin (the parent went away), closes the server and exits.
 */
final class ServerHost {
  private ServerHost() {}

  public static void main(String[] args) throws IOException {
    String store = args[0];
    Path dir = Path.of(args[1]);
    int maxConnections = Integer.parseInt(args[2]);
    // As `patchbay serve` does by default; -Dpatchbay.warmUp=false measures a server without it.
    if (Boolean.parseBoolean(System.getProperty("patchbay.warmUp", "true"))) {
      dev.patchbay.store.sqlite.WarmUp.run(java.time.Duration.ofSeconds(5));
    }
    PatchbayServer server =
        PatchbayServer.start(
            Target.benchConfig(store, dir, maxConnections), Target.openStore(store, dir));
    System.out.println("port " + server.address().getPort());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("exit")) {
      if (line.equals("mem")) {
        System.out.println("mem " + heapAfterGc() + " " + rss());
        System.out.flush();
      }
    }
    server.close();
    System.exit(0);
  }

  static long heapAfterGc() {
    // Two collections: the first may leave objects with finalizers or reference queues behind.
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The resident set size in bytes from /proc (Linux), or -1 elsewhere. */
  static long rss() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
