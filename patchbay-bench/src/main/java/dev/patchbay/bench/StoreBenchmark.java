package dev.patchbay.bench;

import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.DocStore;
import dev.patchbay.store.sqlite.SqliteStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SQLite store's group commit: how many committed changes per second reach the disk when the
 * engine hands the store 1, 16 or 64 conditional {@code saveChanges} calls at once (one change of
 * the {@link Workloads} mix each, to as many documents), for each durability mode. The store's
 * single writer thread takes every queued write into one transaction, so with {@code
 * POWER_LOSS_SAFE} one fsync is paid per burst instead of per change. Scores are changes per second
 * ({@link OperationsPerInvocation}).
 *
 * <p>Run: {@code java -jar patchbay-bench/target/benchmarks.jar StoreBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StoreBenchmark {
  private static final int DOCS = 64;

  @Param({"POWER_LOSS_SAFE", "PROCESS_CRASH_SAFE"})
  public String durability;

  private Path dir;
  private DocStore store;
  private final long[] revs = new long[DOCS];
  private List<List<PatchOp>> patches;
  private int next;

  /** Opens a fresh store in a temporary directory. */
  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("patchbay-store-bench");
    store =
        SqliteStores.builder(dir).durability(SqliteStores.Durability.valueOf(durability)).open();
    patches = Workloads.patches(1_024, 3);
  }

  /** Closes the store and deletes its files. */
  @TearDown(Level.Trial)
  public void close() throws Exception {
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** One change written and awaited: a lone commit pays a whole transaction. */
  @Benchmark
  @OperationsPerInvocation(1)
  public void save1() {
    burst(1);
  }

  /** 16 changes to 16 documents handed over at once, then awaited. */
  @Benchmark
  @OperationsPerInvocation(16)
  public void save16() {
    burst(16);
  }

  /** 64 changes to 64 documents handed over at once, then awaited. */
  @Benchmark
  @OperationsPerInvocation(64)
  public void save64() {
    burst(64);
  }

  private void burst(int n) {
    CompletableFuture<?>[] writes = new CompletableFuture<?>[n];
    for (int d = 0; d < n; d++) {
      long base = revs[d]++;
      Change c =
          Change.of("c" + d + "-" + base, base, base + 1, patches.get(next++ & 1023), 1_700_000L)
              .committed(base + 1, 1_700_000L, 1_700_000L, null);
      writes[d] = store.saveChanges("doc-" + d, base, List.of(c));
    }
    CompletableFuture.allOf(writes).join();
  }
}
