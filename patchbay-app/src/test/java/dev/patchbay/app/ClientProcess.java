package dev.patchbay.app;

import dev.patchbay.client.Patches;
import dev.patchbay.client.PatchesDoc;
import dev.patchbay.client.PatchesSync;
import dev.patchbay.core.json.Json;
import dev.patchbay.store.sqlite.client.SqliteClientStores;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A Java client app run as its own JVM by {@link ClientProcessEndToEndTest}: one SQLite client
 * store on disk, one document, and one of three jobs.
 *
 * <ul>
 *   <li>{@code edit URI DIR DOC N}: connects, makes N edits (one every 5 ms), waits until the
 *       server has acknowledged them all, prints the state, exits cleanly;
 *   <li>{@code offline URI DIR DOC N}: makes N edits with no server to reach, then halts the JVM
 *       without closing anything, as a killed app would;
 *   <li>{@code sync URI DIR DOC REV}: connects, waits until nothing is pending and the document has
 *       reached revision REV (at least), prints the state, exits cleanly.
 * </ul>
 *
 * The state is printed as one line {@code STATE <rev> <json>}.
 */
final class ClientProcess {
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private ClientProcess() {}

  public static void main(String[] args) throws Exception {
    String job = args[0];
    URI uri = URI.create(args[1]);
    Path dir = Path.of(args[2]);
    String docId = args[3];
    long n = Long.parseLong(args[4]);
    Patches patches = Patches.create(SqliteClientStores.open(dir));
    PatchesSync sync =
        PatchesSync.builder(patches, uri).connectTimeout(Duration.ofSeconds(2)).build();
    sync.connect();
    PatchesDoc doc = patches.openDoc(docId);
    String me = dir.getFileName().toString();
    switch (job) {
      case "edit", "offline" -> {
        for (int i = 0; i < n; i++) {
          int k = i;
          doc.change(
              p ->
                  p.replace("/" + me + "/e" + k, k)
                      .increment("/count", 1)
                      .insertText("/log", 0, "x"));
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        if (job.equals("offline")) {
          System.out.println("PENDING " + doc.pendingChanges().size());
          System.out.flush();
          Runtime.getRuntime().halt(0); // no close, no flush: what survives is what the store kept
        }
        await(() -> !doc.hasPending());
      }
      case "sync" -> await(() -> !doc.hasPending() && doc.committedRev() >= n);
      default -> throw new IllegalArgumentException("unknown job " + job);
    }
    System.out.println("STATE " + doc.committedRev() + " " + Json.write(doc.state()));
    sync.close();
    patches.close();
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        System.out.println("TIMEOUT");
        System.exit(3);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }
}
