package dev.patchbay.bench;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.lww.Consolidation;
import dev.patchbay.core.lww.Lww;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.ot.OtTransforms;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.core.rpc.JsonRpcCodec;
import dev.patchbay.core.rpc.JsonRpcMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The sync walks and the wire codec on the {@link Workloads} patch mix, one benchmark per step of a
 * commit's path:
 *
 * <ul>
 *   <li>{@code transformIncoming}: the server's commit step, one incoming change transformed over
 *       the 10 changes committed since its base revision;
 *   <li>{@code commitRound}: the same step in the shape of {@code patchbay bench commit} with 32
 *       clients: an incoming {@code @txt} insert at the start of {@code /body} plus a {@code
 *       replace /k<i>}, over the 31 such changes the other clients committed since its base;
 *   <li>{@code rebase}: the client's step, 3 pending changes rebased over 5 new server changes;
 *   <li>{@code consolidate}: an LWW commit of 3 field writes against a 100-row document;
 *   <li>{@code decodeCommit}: parsing a {@code commitChanges} request frame (UTF-8 bytes) into a
 *       message and its changes;
 *   <li>{@code encodeBroadcast}: encoding a {@code changesCommitted} notification of one fresh
 *       change (its JSON not cached yet), as the fan-out does once per commit.
 * </ul>
 *
 * <p>Each invocation takes the next of 256 pre-built inputs. Run: {@code java -jar
 * patchbay-bench/target/benchmarks.jar SyncBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SyncBenchmark {
  private static final int COUNT = 256;

  private List<List<Change>> committed;
  private List<Change> roundLog;
  private List<Change> roundIncoming;
  private List<Change> incoming;
  private List<List<Change>> server;
  private List<List<Change>> pending;
  private List<PatchOp> lwwRows;
  private List<List<PatchOp>> lwwWrites;
  private List<byte[]> commitFrames;
  private List<List<PatchOp>> freshOps;
  private int next;

  /** Builds every input from the seeded patch mix. */
  @Setup
  public void setUp() {
    List<List<PatchOp>> patches = Workloads.patches(COUNT * 20, 7);
    int p = 0;
    committed = new ArrayList<>(COUNT);
    incoming = new ArrayList<>(COUNT);
    server = new ArrayList<>(COUNT);
    pending = new ArrayList<>(COUNT);
    commitFrames = new ArrayList<>(COUNT);
    freshOps = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      List<Change> log = new ArrayList<>(10);
      for (int r = 1; r <= 10; r++) {
        log.add(change("c" + i + "-" + r, 100 + r - 1, 100 + r, patches.get(p++)));
      }
      committed.add(log);
      incoming.add(change("in" + i, 100, 101, patches.get(p++)));
      List<Change> fromServer = new ArrayList<>(5);
      for (int r = 1; r <= 5; r++) {
        fromServer.add(change("s" + i + "-" + r, 200 + r - 1, 200 + r, patches.get(p++)));
      }
      server.add(fromServer);
      List<Change> mine = new ArrayList<>(3);
      for (int r = 1; r <= 3; r++) {
        mine.add(change("p" + i + "-" + r, 200, 200 + r, patches.get(p++)));
      }
      pending.add(mine);
      commitFrames.add(commitFrame(i, mine));
      freshOps.add(patches.get(p++));
    }
    roundLog = new ArrayList<>(31);
    for (int c = 0; c < 31; c++) {
      roundLog.add(change("r" + c, 500 + c, 501 + c, commitWorkloadOps(c, 7)));
    }
    roundIncoming = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      roundIncoming.add(change("in-round" + i, 500, 501, commitWorkloadOps(31, i)));
    }
    SplittableRandom random = new SplittableRandom(11);
    lwwRows = new ArrayList<>(100);
    for (int k = 0; k < 100; k++) {
      lwwRows.add(lww("/settings/k" + k, Json.number(random.nextInt(1000)), 1_000 + k, k + 1));
    }
    lwwWrites = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      List<PatchOp> write = new ArrayList<>(3);
      for (int k = 0; k < 3; k++) {
        write.add(
            lww(
                "/settings/k" + random.nextInt(120),
                Json.number(random.nextInt(1000)),
                2_000 + i,
                0));
      }
      lwwWrites.add(write);
    }
  }

  /** One incoming change transformed over the 10 committed after its base revision. */
  @Benchmark
  public List<Change> transformIncoming() {
    int i = next++ & (COUNT - 1);
    return OtTransforms.transformIncomingChanges(
        List.of(incoming.get(i)), committed.get(i), 110, false, Set.of());
  }

  /** One change of the commit workload over the 31 committed by the other clients of a round. */
  @Benchmark
  public List<Change> commitRound() {
    int i = next++ & (COUNT - 1);
    return OtTransforms.transformIncomingChanges(
        List.of(roundIncoming.get(i)), roundLog, 531, false, Set.of());
  }

  /** Three pending changes rebased over five server changes. */
  @Benchmark
  public List<Change> rebase() {
    int i = next++ & (COUNT - 1);
    return OtTransforms.rebaseChanges(server.get(i), pending.get(i));
  }

  /** Three LWW field writes consolidated against a 100-row document. */
  @Benchmark
  public Consolidation consolidate() {
    int i = next++ & (COUNT - 1);
    return Lww.consolidate(lwwRows, lwwWrites.get(i));
  }

  /** A {@code commitChanges} frame of three changes parsed into a message and changes. */
  @Benchmark
  public List<Change> decodeCommit() {
    int i = next++ & (COUNT - 1);
    JsonRpcMessage message = JsonRpcCodec.decode(commitFrames.get(i));
    JsonNode list = ((JsonRpcMessage.Request) message).param(1);
    List<Change> changes = new ArrayList<>(3);
    for (JsonNode c : list) {
      changes.add(Change.fromJson(c));
    }
    return changes;
  }

  /** A {@code changesCommitted} notification of one change encoded to UTF-8 bytes. */
  @Benchmark
  public byte[] encodeBroadcast() {
    int i = next++ & (COUNT - 1);
    Change fresh = change("b" + i, 300, 301, freshOps.get(i));
    String text =
        "{\"jsonrpc\":\"2.0\",\"method\":\"changesCommitted\",\"params\":{\"docId\":\"doc-1\","
            + "\"changes\":["
            + fresh.toJsonString()
            + "]}}";
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The ops of {@code patchbay bench commit}: insert "client:j " at 0 of /body, set /k<client>. */
  private static List<PatchOp> commitWorkloadOps(int client, int j) {
    ArrayNode delta = Json.array();
    delta.addObject().put("insert", client + ":" + j + " ");
    return List.of(
        PatchOp.of("@txt", "/body", delta), PatchOp.replace("/k" + client, Json.number(j)));
  }

  private static Change change(String id, long baseRev, long rev, List<PatchOp> ops) {
    return Change.of(id, baseRev, rev, ops, 1_700_000_000_000L);
  }

  private static PatchOp lww(String path, JsonNode value, long ts, long rev) {
    ObjectNode op = Json.object();
    op.put("op", "replace");
    op.put("path", path);
    op.set("value", value);
    op.put("ts", ts);
    if (rev > 0) {
      op.put("rev", rev);
    }
    return PatchOp.fromJson(op);
  }

  private static byte[] commitFrame(int id, List<Change> changes) {
    ObjectNode frame = Json.object();
    frame.put("jsonrpc", "2.0");
    frame.put("id", id);
    frame.put("method", "commitChanges");
    ArrayNode params = frame.putArray("params");
    params.add("doc-1");
    ArrayNode list = params.addArray();
    for (Change c : changes) {
      list.add(c.toJson());
    }
    return Json.write(frame).getBytes(StandardCharsets.UTF_8);
  }
}
