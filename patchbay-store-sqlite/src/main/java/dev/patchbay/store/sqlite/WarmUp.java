package dev.patchbay.store.sqlite;

import dev.patchbay.server.engine.Engine;
import dev.patchbay.server.patches.PatchesRpcHandler;
import dev.patchbay.server.spi.Connection;
import dev.patchbay.server.spi.DocStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the server's request path once before it serves, so the first clients of a restarted server
 * do not pay for loading classes, linking lambdas and interpreting cold code: a fresh JVM answered
 * its first {@code getDoc} of a large document four to five times slower than a warm one
 * (docs/benchmarks.md, cold-open).
 *
 * <p>It works on a throw-away SQLite file in a temporary directory, never on the server's own
 * store: two connections commit concurrent text and field edits through the Patches handler (so
 * commits are decoded, transformed, stored, answered and fanned out), versions are cut, then a new
 * engine opens the document cold from the file and answers {@code getDoc} and {@code
 * getChangesSince}. It takes a few hundred milliseconds and stops early at its time budget.
 */
public final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  private static final String DOC = "warm-up";

  private WarmUp() {}

  /**
   * Runs the warm-up for at most about {@code budget} and returns the commits it made, or -1 when
   * it failed; never throws (a failed warm-up only costs the speed it would have bought, and is
   * logged).
   */
  public static int run(Duration budget) {
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    Path dir = null;
    int commits = 0;
    try {
      dir = Files.createTempDirectory("patchbay-warm-up");
      DocStore store =
          SqliteStores.builder(dir).durability(SqliteStores.Durability.PROCESS_CRASH_SAFE).open();
      try {
        commits = commit(store, deadline);
        open(store, deadline);
      } finally {
        store.close();
      }
      log.info(
          "warm-up: {} commits and a cold open in {} ms",
          commits,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return commits;
    } catch (Exception e) {
      log.warn("warm-up failed, serving cold: {}", e.toString());
      return -1;
    } finally {
      if (dir != null) {
        delete(dir);
      }
    }
  }

  private static int commit(DocStore store, long deadline) {
    PatchesRpcHandler handler = new PatchesRpcHandler();
    Engine engine = engine(store, handler);
    try {
      Sink a = new Sink("warm-a", handler);
      Sink b = new Sink("warm-b", handler);
      a.call("subscribe", "[[\"" + DOC + "\"]]");
      b.call("subscribe", "[[\"" + DOC + "\"]]");
      int commits = 0;
      long rev = 0;
      for (int i = 0; i < 200 && System.nanoTime() < deadline; i++) {
        // Both on the same base revision: the second is transformed over the first.
        CompletableFuture<String> first = a.callAsync("commitChanges", change("a" + i, rev, i));
        CompletableFuture<String> second = b.callAsync("commitChanges", change("b" + i, rev, i));
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        rev += 2;
        commits += 2;
      }
      return commits;
    } catch (Exception e) {
      throw new IllegalStateException("warm-up commit failed", e);
    } finally {
      engine.close();
    }
  }

  private static void open(DocStore store, long deadline) throws Exception {
    PatchesRpcHandler handler = new PatchesRpcHandler();
    Engine engine = engine(store, handler);
    try {
      Sink reader = new Sink("warm-r", handler);
      for (int i = 0; i < 5 && System.nanoTime() < deadline; i++) {
        reader.call("getDoc", "[\"" + DOC + "\"]");
        reader.call("getChangesSince", "[\"" + DOC + "\"," + i * 10 + "]");
      }
    } finally {
      engine.close();
    }
  }

  private static Engine engine(DocStore store, PatchesRpcHandler handler) {
    Engine engine =
        new Engine(
            store,
            new Engine.Settings(
                1, Duration.ofMinutes(30), 50, 10, List.of(), 10_000, 1 << 20, 1L << 30),
            handler,
            System::currentTimeMillis);
    handler.bind(engine);
    return engine;
  }

  private static String change(String id, long baseRev, int i) {
    return "[\""
        + DOC
        + "\",[{\"id\":\""
        + id
        + "\",\"baseRev\":"
        + baseRev
        + ",\"rev\":"
        + (baseRev + 1)
        + ",\"createdAt\":"
        + System.currentTimeMillis()
        + ",\"ops\":[{\"op\":\"@txt\",\"path\":\"/body\",\"value\":[{\"insert\":\""
        + id
        + " \"}]},{\"op\":\"replace\",\"path\":\"/k"
        + (i % 10)
        + "\",\"value\":{\"s\":"
        + i
        + ",\"t\":1.5}},{\"op\":\"@inc\",\"path\":\"/n\",\"value\":1}]}]]";
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A connection that completes each call with its answer; notifications are dropped. */
  private static final class Sink implements Connection {
    private final String id;
    private final PatchesRpcHandler handler;
    private final java.util.Map<Integer, CompletableFuture<String>> pending =
        new java.util.concurrent.ConcurrentHashMap<>();
    private int ids;

    Sink(String id, PatchesRpcHandler handler) {
      this.id = id;
      this.handler = handler;
      handler.onOpen(this);
    }

    String call(String method, String params) throws Exception {
      return callAsync(method, params).get(5, TimeUnit.SECONDS);
    }

    CompletableFuture<String> callAsync(String method, String params) {
      int requestId = ++ids;
      CompletableFuture<String> answer = new CompletableFuture<>();
      pending.put(requestId, answer);
      handler.onMessage(
          this,
          "{\"jsonrpc\":\"2.0\",\"id\":"
              + requestId
              + ",\"method\":\""
              + method
              + "\",\"params\":"
              + params
              + "}");
      return answer;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public void send(String text) {
      // Answers start {"jsonrpc":"2.0","id":N,...}; notifications carry no id.
      int at = text.indexOf("\"id\":");
      if (at < 0 || text.startsWith("{\"jsonrpc\":\"2.0\",\"method\"")) {
        return;
      }
      int end = at + 5;
      while (end < text.length() && Character.isDigit(text.charAt(end))) {
        end++;
      }
      CompletableFuture<String> answer =
          pending.remove(Integer.parseInt(text.substring(at + 5, end)));
      if (answer != null) {
        if (text.contains("\"error\"")) {
          answer.completeExceptionally(new IllegalStateException(text));
        } else {
          answer.complete(text);
        }
      }
    }

    @Override
    public void send(byte[] utf8Text) {
      send(new String(utf8Text, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void close(int code, String reason) {}

    @Override
    public boolean isOpen() {
      return true;
    }
  }
}
