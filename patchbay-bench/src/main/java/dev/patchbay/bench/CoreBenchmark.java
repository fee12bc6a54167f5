package dev.patchbay.bench;

import dev.patchbay.core.patch.ApplyOptions;
import dev.patchbay.core.patch.JsonPatch;
import dev.patchbay.core.patch.PatchOp;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;

/**
 * Throughput of the two core hot paths on the {@link Workloads} mix: applying a patch to the
 * document, and transforming one patch over another (the stateless form the sync walks use). Each
 * invocation takes the next of 1,024 pre-generated patches, so branch predictors cannot learn one.
 *
 * <p>Run: {@code java -jar patchbay-bench/target/benchmarks.jar CoreBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CoreBenchmark {
  private static final int COUNT = 1_024;

  private JsonNode document;
  private List<List<PatchOp>> mine;
  private List<List<PatchOp>> theirs;
  private int next;

  /** Builds the document and the patch pairs. */
  @Setup
  public void setUp() {
    document = Workloads.document();
    mine = Workloads.patches(COUNT, 1);
    theirs = Workloads.patches(COUNT, 2);
  }

  /** Applies one patch to the 100-key document (strict mode, as commits are applied). */
  @Benchmark
  public JsonNode apply() {
    int i = next++ & (COUNT - 1);
    return JsonPatch.apply(document, mine.get(i), ApplyOptions.STRICT);
  }

  /** Transforms one patch over another concurrent one. */
  @Benchmark
  public List<PatchOp> transform() {
    int i = next++ & (COUNT - 1);
    return JsonPatch.transform(null, mine.get(i), theirs.get(i), false);
  }
}
