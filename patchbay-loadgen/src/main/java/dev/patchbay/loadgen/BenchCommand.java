package dev.patchbay.loadgen;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code patchbay bench <workload>}: the load driver. Each workload either starts its own server in
 * this process ({@code --store memory|sqlite}, in a temporary directory) or drives a running one
 * ({@code --url ws://127.0.0.1:PORT/ws}, loopback only). It prints a progress line a second on
 * stderr and its result on stdout, for people or, with {@code --json}, as one JSON object. The
 * workloads are defined in docs/benchmarks.md.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Load driver: runs a workload against Patchbay and prints its numbers.",
    subcommands = {
      BenchCommand.BroadcastCommand.class,
      BenchCommand.CommitCommand.class,
      BenchCommand.FanOutCommand.class,
      BenchCommand.ColdOpenCommand.class,
      BenchCommand.EchoCommand.class,
      BenchCommand.SweepCommand.class,
      BenchCommand.ChartCommand.class
    })
public final class BenchCommand implements Runnable {
  @Spec @Nullable CommandSpec spec;

  /** Creates the command (picocli instantiates it). */
  public BenchCommand() {}

  /** Without a workload: prints the usage. */
  @Override
  public void run() {
    if (spec != null) {
      spec.commandLine().usage(System.err);
    }
  }

  /** Options every workload has. */
  static final class Common {
    @Option(
        names = "--json",
        description = "Print the result as one JSON object instead of name-value lines.")
    boolean json;

    @Option(names = "--quiet", description = "No progress line on stderr.")
    boolean quiet;

    @Option(
        names = "--threads",
        defaultValue = "2",
        description = "Driver I/O threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
        names = "--duration-limit",
        defaultValue = "120",
        description =
            "Upper bound in seconds of a run (set-up excluded); a run cut short says so"
                + " (default ${DEFAULT-VALUE}).")
    long durationLimitSeconds;

    Duration limit() {
      if (durationLimitSeconds < 1 || durationLimitSeconds > 86_400) {
        throw new IllegalArgumentException("--duration-limit must be in [1, 86400] seconds");
      }
      return Duration.ofSeconds(durationLimitSeconds);
    }

    PrintStream out() {
      return System.out;
    }

    PrintStream err() {
      return System.err;
    }
  }

  /** Where a workload sends its load. */
  static final class Server {
    @Option(
        names = "--url",
        description =
            "Drive a running server at this loopback URL (ws://127.0.0.1:PORT/ws) instead of"
                + " starting one; start it with the per-client limits lifted (docs/benchmarks.md).")
    @Nullable URI url;

    @Option(
        names = "--store",
        defaultValue = "sqlite",
        description =
            "Store of the server this command starts: sqlite (durable, the default) or memory.")
    String store = "sqlite";

    @Option(names = "--name", description = "System name reported with --url (default: the URL).")
    @Nullable String name;

    @Option(
        names = "--warm-up-seconds",
        defaultValue = "0",
        description =
            "Before starting the server this command runs, drive this many seconds of traffic"
                + " through a throw-away one, as `patchbay serve --warm-up-seconds` does (0, the"
                + " default, measures a cold start; not with --url).")
    int warmUpSeconds;

    @Option(
        names = "--driver-warm-up-seconds",
        defaultValue = "0",
        description =
            "With --url: first run the same workload this many seconds against a throw-away"
                + " in-process memory server, so the driver's own code is compiled when it"
                + " measures, then collect its garbage; the server under test sees none of it"
                + " (0, the default: the driver starts cold).")
    int driverWarmUpSeconds;

    /**
     * Runs {@code workload} on a throw-away in-process memory server for {@code
     * --driver-warm-up-seconds}, when given: the driver's JVM then measures with its code compiled
     * (a fresh driver JVM added 100-300 ms to the first second's p99). Only with {@code --url},
     * where the server under test is another process that this traffic never reaches.
     */
    void warmDriver(int connections, BiConsumer<Target, Duration> workload) {
      if (driverWarmUpSeconds < 0 || driverWarmUpSeconds > 600) {
        throw new IllegalArgumentException(
            "--driver-warm-up-seconds must be between 0 and 600, was " + driverWarmUpSeconds);
      }
      if (driverWarmUpSeconds == 0) {
        return;
      }
      if (url == null) {
        throw new IllegalArgumentException(
            "--driver-warm-up-seconds needs --url: an in-process server shares the driver's JVM"
                + " and would be warmed too (use --warm-up-seconds for that)");
      }
      try (Target scratch = Target.inProcess("memory", connections)) {
        workload.accept(scratch, Duration.ofSeconds(driverWarmUpSeconds));
      }
      // The throw-away server's documents were still in the young generation: the driver's first
      // young collections in the measured run copied them (20-25 ms pauses in a 2 s broadcast run,
      // 1-2 ms afterwards). A full collection now, as JMH does between iterations, clears them.
      System.gc();
    }

    Target open(int connections) {
      if (warmUpSeconds < 0 || warmUpSeconds > 600) {
        throw new IllegalArgumentException(
            "--warm-up-seconds must be between 0 and 600, was " + warmUpSeconds);
      }
      if (url != null) {
        if (warmUpSeconds > 0) {
          throw new IllegalArgumentException(
              "--warm-up-seconds warms a server this command starts; start the --url server"
                  + " with `patchbay serve --warm-up-seconds` instead");
        }
        return Target.url(url, name != null ? name : url.toString());
      }
      if (warmUpSeconds > 0) {
        TrafficWarmUp.run(Duration.ofSeconds(warmUpSeconds));
      }
      return Target.inProcess(store, connections);
    }
  }

  private abstract static class Workload implements Callable<Integer> {
    @Mixin Common common = new Common();

    @Override
    public Integer call() {
      Report report;
      try (Driver driver = new Driver(common.threads)) {
        report = run(driver);
      } catch (IllegalArgumentException e) {
        common.err().println("patchbay bench: " + e.getMessage());
        return 2;
      }
      report.print(common.out(), common.json);
      return 0;
    }

    abstract Report run(Driver driver);
  }

  /** The broadcast workload's shape (peer-bench's N, M, K, RATE), shared by broadcast and echo. */
  static final class BroadcastShape {
    @Option(
        names = {"-n", "--clients"},
        defaultValue = "60",
        description = "N (default 60).")
    int clients;

    @Option(
        names = {"-m", "--docs"},
        defaultValue = "6",
        description = "M (default 6).")
    int docs;

    @Option(
        names = {"-k", "--ops"},
        defaultValue = "100",
        description = "K ops per client (default 100).")
    int ops;

    @Option(
        names = {"-r", "--rate"},
        defaultValue = "25",
        description = "RATE ops/s per client (default 25).")
    double rate;

    @Option(
        names = "--warmup-ops",
        defaultValue = "0",
        description = "First run this many ops per client at half the rate, not reported.")
    int warmupOps;

    @Option(
        names = "--drain-seconds",
        defaultValue = "30",
        description = "Wait after the last send for deliveries (default 30, as peer-bench).")
    long drainSeconds;

    Broadcast.Spec spec(int k, double r, Duration limit) {
      return new Broadcast.Spec(clients, docs, k, r, Duration.ofSeconds(drainSeconds), limit);
    }
  }

  @Command(
      name = "broadcast",
      mixinStandardHelpOptions = true,
      description =
          "The peer-bench workload: N clients, M docs, K ops per client at RATE ops/s, each op"
              + " overwriting /c<i> with {s, t}; latency at the other clients.")
  static final class BroadcastCommand extends Workload {
    @Mixin Server server = new Server();
    @Mixin BroadcastShape shape = new BroadcastShape();

    @Override
    Report run(Driver driver) {
      server.warmDriver(
          shape.clients + 16,
          (scratch, time) ->
              Broadcast.run(
                  driver,
                  scratch,
                  shape.spec(
                      (int) Math.max(1, shape.rate * time.toSeconds()), shape.rate, common.limit()),
                  false,
                  common.err()));
      return runBroadcast(driver, server.open(shape.clients + 16), shape, common);
    }
  }

  static Report runBroadcast(Driver driver, Target target, BroadcastShape shape, Common common) {
    try (target) {
      if (shape.warmupOps > 0) {
        Broadcast.run(
            driver,
            target,
            shape.spec(shape.warmupOps, shape.rate / 2, common.limit()),
            false,
            common.err());
      }
      return Broadcast.run(
          driver,
          target,
          shape.spec(shape.ops, shape.rate, common.limit()),
          !common.quiet,
          common.err());
    }
  }

  @Command(
      name = "echo",
      mixinStandardHelpOptions = true,
      description =
          "The broadcast workload against a bare Netty WebSocket relay on the same stack: the"
              + " ceiling of this machine for these messages.")
  static final class EchoCommand extends Workload {
    @Mixin BroadcastShape shape = new BroadcastShape();

    @Override
    Report run(Driver driver) {
      return runBroadcast(driver, Target.echo(), shape, common);
    }
  }

  @Command(
      name = "commit",
      mixinStandardHelpOptions = true,
      description =
          "N clients commit K changes each to one document, each awaiting its answer;"
              + " commits/s and ack latency.")
  static final class CommitCommand extends Workload {
    @Mixin Server server = new Server();

    @Option(
        names = {"-n", "--clients"},
        defaultValue = "32",
        description = "N (default 32).")
    int clients;

    @Option(
        names = {"-k", "--changes"},
        defaultValue = "100",
        description = "K changes per client (default 100).")
    int changes;

    @Option(
        names = "--warmup-changes",
        defaultValue = "0",
        description = "First run the workload with this many changes per client, not reported.")
    int warmupChanges;

    @Override
    Report run(Driver driver) {
      Commit.Spec spec = new Commit.Spec(clients, changes, common.limit());
      server.warmDriver(
          clients + 16,
          (scratch, time) ->
              Commit.run(
                  driver, scratch, new Commit.Spec(clients, 1_000_000, time), false, common.err()));
      try (Target target = server.open(clients + 16)) {
        if (warmupChanges > 0) {
          Commit.run(
              driver,
              target,
              new Commit.Spec(clients, warmupChanges, common.limit()),
              false,
              common.err());
        }
        return Commit.run(driver, target, spec, !common.quiet, common.err());
      }
    }
  }

  @Command(
      name = "fan-out",
      mixinStandardHelpOptions = true,
      description =
          "C idle connections subscribed across D documents, one writer per document; latency"
              + " until the last subscriber has each change; server heap and RSS per connection.")
  static final class FanOutCommand extends Workload {
    @Option(
        names = "--url",
        description = "Drive a running server at this loopback URL (no memory figures then).")
    @Nullable URI url;

    @Option(
        names = "--store",
        defaultValue = "sqlite",
        description = "Store of the server JVM this command starts (default sqlite).")
    String store = "sqlite";

    @Option(
        names = {"-c", "--connections"},
        defaultValue = "1000",
        description = "C subscribed connections (default 1000; the target is 10000).")
    int connections;

    @Option(
        names = {"-d", "--docs"},
        defaultValue = "10",
        description = "D (default 10).")
    int docs;

    @Option(
        names = {"-w", "--changes"},
        defaultValue = "100",
        description = "Changes per writer (default 100: enough samples for a p99).")
    int changes;

    @Option(
        names = {"-r", "--rate"},
        defaultValue = "5",
        description = "Changes/s per writer (default 5).")
    double rate;

    @Option(
        names = "--server-jvm-option",
        description =
            "An option of the server JVM, repeatable; default -Xms1g -Xmx1g -XX:+AlwaysPreTouch"
                + " (a fixed, resident heap, so the RSS difference is memory outside the heap).")
    List<String> jvmOptions = new ArrayList<>();

    @Option(
        names = "--warmup-ops",
        defaultValue = "100",
        description =
            "First warm the server up (JIT) with a broadcast of 20 clients on 2 documents, this"
                + " many ops each at 20 ops/s, not reported (default ${DEFAULT-VALUE}; 0 skips).")
    int warmupOps;

    @Override
    Report run(Driver driver) {
      FanOut.Spec spec =
          new FanOut.Spec(connections, docs, changes, rate, Duration.ofSeconds(30), common.limit());
      if (url != null) {
        Target.requireLoopback(url);
        warmUp(driver, url);
        return FanOut.run(driver, url, url.toString(), null, spec, !common.quiet, common.err());
      }
      Path dir = Target.tempDir();
      List<String> options =
          jvmOptions.isEmpty() ? List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch") : jvmOptions;
      try (ChildServer child = ChildServer.start(store, dir, connections + docs + 16, options)) {
        warmUp(driver, child.uri());
        return FanOut.run(
            driver, child.uri(), "patchbay-" + store, child, spec, !common.quiet, common.err());
      } finally {
        Target.deleteTree(dir);
      }
    }

    private void warmUp(Driver driver, URI uri) {
      if (warmupOps > 0) {
        Broadcast.run(
            driver,
            Target.url(uri, "warm-up"),
            new Broadcast.Spec(20, 2, warmupOps, 20, Duration.ofSeconds(30), common.limit()),
            false,
            common.err());
      }
    }
  }

  @Command(
      name = "cold-open",
      mixinStandardHelpOptions = true,
      description =
          "Builds a document with H changes of history in SQLite, restarts the server and times"
              + " the first getDoc (fresh JVM, fresh server in a warm JVM, cached).")
  static final class ColdOpenCommand extends Workload {
    @Option(
        names = {"-H", "--history"},
        defaultValue = "10000",
        description = "H changes of history (default 10000; the target is 100000).")
    int history;

    @Option(
        names = "--batch",
        defaultValue = "500",
        description = "Changes per commitChanges while building (default 500).")
    int batch;

    @Option(
        names = "--server-jvm-option",
        description = "An option of the cold server JVM; repeatable.")
    List<String> jvmOptions = new ArrayList<>();

    @Override
    Report run(Driver driver) {
      return ColdOpen.run(
          driver,
          new ColdOpen.Spec(history, batch, jvmOptions, common.limit()),
          !common.quiet,
          common.err());
    }
  }

  @Command(
      name = "sweep",
      mixinStandardHelpOptions = true,
      description =
          "Broadcast at several offered rates against memory, sqlite and echo; one CSV row per"
              + " point, and optionally the p99 chart.")
  static final class SweepCommand extends Workload {
    @Option(
        names = "--systems",
        split = ",",
        defaultValue = "memory,sqlite,echo",
        description = "Any of memory, sqlite, echo (default ${DEFAULT-VALUE}).")
    List<String> systems = new ArrayList<>();

    @Option(
        names = "--rates",
        split = ",",
        defaultValue = "5,10,25,50",
        description = "RATE values, ops/s per client (default ${DEFAULT-VALUE}).")
    List<Double> rates = new ArrayList<>();

    @Option(
        names = {"-n", "--clients"},
        defaultValue = "60",
        description = "N (default 60).")
    int clients;

    @Option(
        names = {"-m", "--docs"},
        defaultValue = "6",
        description = "M (default 6).")
    int docs;

    @Option(
        names = {"-k", "--ops"},
        defaultValue = "100",
        description = "K (default 100).")
    int ops;

    @Option(
        names = "--warmup-ops",
        defaultValue = "100",
        description = "Warm-up ops per client at half the rate before each point (default 100).")
    int warmupOps;

    @Option(names = "--drain-seconds", defaultValue = "30", description = "Drain (default 30).")
    long drainSeconds;

    @Option(names = "--csv", required = true, description = "CSV file to write.")
    Path csv;

    @Option(names = "--chart", description = "Also draw this PNG (p99 vs offered load).")
    @Nullable Path chart;

    @Option(
        names = "--peers",
        description = "Peer results to add to the chart (CSV or peer-bench JSON lines).")
    List<Path> peers = new ArrayList<>();

    @Override
    Report run(Driver driver) {
      Sweep.Spec spec =
          new Sweep.Spec(
              systems,
              rates,
              clients,
              docs,
              ops,
              warmupOps,
              Duration.ofSeconds(drainSeconds),
              common.limit());
      List<Report> points = Sweep.run(driver, spec, csv, !common.quiet, common.err());
      Report r =
          new Report()
              .put("workload", "sweep")
              .put("points", points.size())
              .put("csv", csv.toString());
      if (chart != null) {
        List<Chart.Point> all = new ArrayList<>(Chart.read(csv));
        peers.forEach(p -> all.addAll(Chart.read(p)));
        Chart.draw(all, title(clients, docs, ops), chart, 1000, 640);
        r.put("chart", chart.toString());
      }
      return r;
    }
  }

  static String title(int clients, int docs, int ops) {
    return "Broadcast p99 latency vs offered load (N="
        + clients
        + ", M="
        + docs
        + ", K="
        + ops
        + ")";
  }

  @Command(
      name = "chart",
      mixinStandardHelpOptions = true,
      description =
          "Draws p99 latency vs offered load as a PNG from sweep CSVs and peer-bench JSON lines.")
  static final class ChartCommand implements Callable<Integer> {
    @Option(
        names = "--in",
        required = true,
        description = "Input file: a sweep CSV or peer-bench JSON lines; repeatable.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--out", required = true, description = "PNG file to write.")
    Path out;

    @Option(
        names = "--title",
        defaultValue = "Broadcast p99 latency vs offered load",
        description = "Chart title.")
    String title;

    @Override
    public Integer call() {
      List<Chart.Point> points = new ArrayList<>();
      inputs.forEach(p -> points.addAll(Chart.read(p)));
      try {
        Chart.draw(points, title, out, 1000, 640);
      } catch (IllegalArgumentException e) {
        System.err.println("patchbay bench chart: " + e.getMessage());
        return 2;
      }
      System.out.println("wrote " + out + " (" + points.size() + " points)");
      return 0;
    }
  }

  /** Runs {@code patchbay bench} alone (for tests and the IDE). */
  static int execute(String... args) {
    return new CommandLine(new BenchCommand()).execute(args);
  }
}
