package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchbay.client.ConnectionState;
import dev.patchbay.client.Patches;
import dev.patchbay.client.PatchesDoc;
import dev.patchbay.client.PatchesSync;
import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.store.sqlite.client.SqliteClientStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Java clients as separate processes against {@code patchbay serve} as a separate process, over
 * real sockets: two clients edit one document at the same time and converge; then one of them makes
 * 100 edits with the server unreachable, is killed (the JVM halts without closing its store),
 * starts again, reconnects, and both converge on the server's state with every edit in it. And a
 * delete: one client deletes a document while the other is offline with unsent edits; on
 * reconnecting, the other gets them back through {@code onRemoteDocDeleted}, and the server answers
 * 410 for the document, also after a restart.
 */
class ClientProcessEndToEndTest {
  private static final String DOC = "e2e/shared";
  private static final String DOOMED = "e2e/doomed";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void concurrentEdits_thenOfflineEditsAcrossAKilledProcess_allConverge(@TempDir Path tmp)
      throws Exception {
    ServerProcess server = ServerProcess.start(tmp.resolve("server"));
    Patches patches = Patches.create(SqliteClientStores.open(tmp.resolve("a")));
    PatchesSync sync = PatchesSync.builder(patches, server.uri).build();
    try {
      sync.connect();
      PatchesDoc a = patches.openDoc(DOC);
      Path b = tmp.resolve("b");

      // 1. Both edit at once: B as its own process, A here.
      CompletableFuture<String> online =
          CompletableFuture.supplyAsync(() -> run("edit", server.uri.toString(), b, 50));
      for (int i = 0; i < 50; i++) {
        int k = i;
        a.change(p -> p.replace("/a/e" + k, k).increment("/count", 1).insertText("/log", 0, "y"));
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      assertThat(online.get(90, TimeUnit.SECONDS)).contains("STATE ");
      await().atMost(Duration.ofSeconds(60)).until(() -> !a.hasPending());
      ServerDoc online1 = serverDoc(server);
      long afterOnline = online1.rev();
      await().atMost(Duration.ofSeconds(60)).until(() -> a.committedRev() == afterOnline);
      assertThat(a.state()).isEqualTo(online1.state());
      assertThat(a.state().path("count").asInt()).isEqualTo(100);

      // 2. B edits offline (nothing listens on port 1), then its process is killed.
      String killed = run("offline", "ws://127.0.0.1:1/ws", b, 100);
      assertThat(killed).contains("PENDING ");

      // 3. B starts again and syncs what its store kept; A meanwhile keeps editing.
      for (int i = 50; i < 60; i++) {
        int k = i;
        a.change(p -> p.replace("/a/e" + k, k).increment("/count", 1));
      }
      String resynced = run("sync", server.uri.toString(), b, afterOnline + 1);
      assertThat(resynced).contains("STATE ");
      await().atMost(Duration.ofSeconds(60)).until(() -> !a.hasPending());
      ServerDoc settled = serverDoc(server);
      long head = settled.rev();
      await().atMost(Duration.ofSeconds(60)).until(() -> a.committedRev() == head);

      // 4. Everyone holds the server's state, and every edit is in it.
      JsonNode expected = settled.state();
      assertThat(a.state()).isEqualTo(expected);
      String finalB = run("sync", server.uri.toString(), b, head);
      assertThat(stateOf(finalB)).isEqualTo(expected);
      assertThat(expected.path("count").asInt()).isEqualTo(50 + 50 + 100 + 10);
      assertThat(expected.path("b").size()).isEqualTo(100); // e0..e99, online and offline
      assertThat(expected.path("a").size()).isEqualTo(60);
    } finally {
      sync.close();
      patches.close();
      server.process.destroy();
      server.process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void remoteDelete_whileTheOtherClientIsOfflineWithEdits_handsThemToOnRemoteDocDeleted(
      @TempDir Path tmp) throws Exception {
    ServerProcess server = ServerProcess.start(tmp.resolve("server"));
    Patches patchesA = Patches.create(SqliteClientStores.open(tmp.resolve("a")));
    Patches patchesB = Patches.create(SqliteClientStores.open(tmp.resolve("b")));
    PatchesSync syncA = PatchesSync.builder(patchesA, server.uri).build();
    PatchesSync syncB = PatchesSync.builder(patchesB, server.uri).build();
    try {
      syncA.connect().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      syncB.connect().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<String> deletedAtA = new CopyOnWriteArrayList<>();
      syncA.onRemoteDocDeleted((id, pending) -> deletedAtA.add(id));
      List<String> deletedAtB = new CopyOnWriteArrayList<>();
      CompletableFuture<List<Change>> handedToB = new CompletableFuture<>();
      syncB.onRemoteDocDeleted(
          (id, pending) -> {
            deletedAtB.add(id);
            handedToB.complete(pending);
          });

      // 1. Both edit the document and converge.
      PatchesDoc a = patchesA.openDoc(DOOMED);
      a.change(p -> p.add("/title", "draft").insertText("/body", 0, "hello").add("/n", 0));
      await().atMost(TIMEOUT).until(() -> !a.hasPending());
      PatchesDoc b = patchesB.openDoc(DOOMED);
      b.change(p -> p.increment("/n", 1));
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  !a.hasPending()
                      && !b.hasPending()
                      && a.committedRev() == 2
                      && b.committedRev() == 2
                      && Json.equal(a.state(), b.state()));

      // 2. B goes offline and keeps editing: five changes nobody else has seen.
      syncB.disconnect();
      await().atMost(TIMEOUT).until(() -> syncB.connectionState() == ConnectionState.DISCONNECTED);
      for (int i = 0; i < 5; i++) {
        int k = i;
        b.change(p -> p.replace("/title", "b" + k).insertText("/body", 0, "x").increment("/n", 1));
      }
      List<Change> unsent = b.pendingChanges();
      assertThat(unsent).hasSize(5);

      // 3. A deletes it; the server confirms and refuses the document from now on.
      syncA.deleteDoc(DOOMED).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(patchesA.pendingDeletes()).isEmpty();
      assertGone(server);

      // 4. B reconnects and gets its unsent changes back, as they were, exactly once.
      syncB.connect().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      List<Change> handed = handedToB.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      assertThat(handed).containsExactlyElementsOf(unsent); // ids, ops, revs, batch ids
      assertThat(handed).extracting(Change::id).containsExactlyElementsOf(ids(unsent));
      assertThat(handed.get(4).ops()).isEqualTo(unsent.get(4).ops());
      assertThat(patchesB.trackedDocs()).doesNotContain(DOOMED);
      assertThat(patchesB.store().loadDoc(DOOMED)).isNull(); // nor in its SQLite file
      assertThatThrownBy(() -> b.change(p -> p.increment("/n", 1)))
          .isInstanceOf(IllegalStateException.class);
      // A round trip on another document after the reconnect: a second report (the subscribe's
      // docDeleted notification and the 410 answer to B's flush both signal the delete) would
      // have had its chance by now. A deleted the document itself, so it hears nothing.
      PatchesDoc other = patchesB.openDoc("e2e/other");
      other.change(p -> p.add("/v", 1));
      await().atMost(TIMEOUT).until(() -> !other.hasPending() && other.committedRev() == 1);
      assertThat(deletedAtB).containsExactly(DOOMED);
      assertThat(deletedAtA).isEmpty();

      // 5. B's edits never reached the server, and the delete survives a server restart.
      assertGone(server);
      server.process.destroy();
      assertThat(server.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      server = ServerProcess.start(tmp.resolve("server"));
      assertGone(server);
    } finally {
      syncA.close();
      syncB.close();
      patchesA.close();
      patchesB.close();
      server.process.destroy();
      server.process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /**
   * The server answers 410 (deleted, a tombstone) for the document to getDoc and getChangesSince.
   */
  private static void assertGone(ServerProcess server) {
    try (var client = new dev.patchbay.server.TestClient(server.uri)) {
      JsonNode getDoc = client.call("getDoc", Json.NODES.stringNode(DOOMED));
      JsonNode since =
          client.call("getChangesSince", Json.NODES.stringNode(DOOMED), Json.NODES.numberNode(0));
      for (JsonNode answer : List.of(getDoc, since)) {
        assertThat(answer.has("result")).as("%s", answer).isFalse();
        assertThat(answer.path("error").path("code").asInt()).as("%s", answer).isEqualTo(410);
        assertThat(answer.path("error").path("data").path("docId").asString()).isEqualTo(DOOMED);
      }
    }
  }

  private static List<String> ids(List<Change> changes) {
    return changes.stream().map(Change::id).toList();
  }

  /** Runs a {@link ClientProcess} job to its end and returns what it printed. */
  private static String run(String job, String uri, Path dir, long n) {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClientProcess.class.getName());
    command.add(job);
    command.add(uri);
    command.add(dir.toString());
    command.add(DOC);
    command.add(Long.toString(n));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(job + " did not finish:\n" + out);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(job + " exited with " + p.exitValue() + ":\n" + out);
      }
      return out;
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(job + " could not run", e);
    }
  }

  private static JsonNode stateOf(String output) {
    for (String line : output.split("\n")) {
      if (line.startsWith("STATE ")) {
        return Json.parse(line.substring(line.indexOf(' ', 6) + 1));
      }
    }
    throw new AssertionError("no state printed:\n" + output);
  }

  /** The server's head revision and state of the document, from one getDoc. */
  private record ServerDoc(long rev, JsonNode state) {}

  private static ServerDoc serverDoc(ServerProcess server) {
    try (var client = new dev.patchbay.server.TestClient(server.uri)) {
      JsonNode snapshot = client.result("getDoc", Json.NODES.stringNode(DOC));
      JsonNode state = snapshot.path("state");
      List<dev.patchbay.core.ot.Change> changes = new ArrayList<>();
      for (JsonNode c : snapshot.path("changes")) {
        changes.add(dev.patchbay.core.ot.Change.fromJson(c));
      }
      // {state, rev, changes}: rev is the base the changes apply to; the head is the last change.
      long rev =
          changes.isEmpty() ? snapshot.path("rev").asLong() : changes.get(changes.size() - 1).rev();
      JsonNode result =
          dev.patchbay.core.ot.ChangeApplier.applyChangesForReconstruction(
              state.isMissingNode() || state.isNull() ? null : state, changes);
      return new ServerDoc(rev, result);
    }
  }
}
