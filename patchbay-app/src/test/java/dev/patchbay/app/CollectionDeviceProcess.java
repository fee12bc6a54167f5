package dev.patchbay.app;

import dev.patchbay.collections.client.CollectionsClient;
import dev.patchbay.collections.client.RecordCollection;
import dev.patchbay.collections.client.SyncEventType;
import dev.patchbay.core.json.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.node.ObjectNode;

/**
 * A collections-client device run as its own JVM by {@link CollectionsEndToEndTest}: {@code fill
 * URL DIR COLLECTION N} queues these operations in the outbox of the device in DIR, nothing pushed
 * yet: insert {@code r0…r(N-1)} as {@code {id, i}}, patch the first third with {@code patched:
 * true}, delete the last tenth. It prints {@code QUEUED <count>}, then flushes the outbox to the
 * server, printing {@code SYNCED <k>} each time the server has taken one more operation. From
 * request SLOW_AFTER on, each request waits 20 ms first, like a slow network: the test kills the
 * process when it reads {@code SYNCED <SLOW_AFTER>}, and the slow rest keeps the flush going for
 * seconds, so the kill lands in the middle of it however late the test reads. Should the flush get
 * to the end, it prints {@code DONE}.
 */
final class CollectionDeviceProcess {
  private CollectionDeviceProcess() {}

  /**
   * How many records ({@code r0…}) the plan patches. Every operation changes its record, so the
   * server's version of a record counts the operations it applied.
   */
  static int patched(int n) {
    return n / 3;
  }

  /** The first record the plan deletes (the rest up to {@code n - 1} follow). */
  static int firstDeleted(int n) {
    return n - n / 10;
  }

  public static void main(String[] args) throws Exception {
    if (!args[0].equals("fill")) {
      throw new IllegalArgumentException("unknown job " + args[0]);
    }
    String url = args[1];
    Path dir = Path.of(args[2]);
    String collection = args[3];
    int n = Integer.parseInt(args[4]);
    int slowAfter = Integer.parseInt(args[5]);
    AtomicInteger requests = new AtomicInteger();
    CollectionsClient client =
        CollectionsClient.builder()
            .baseUrl(url)
            .dataDirectory(dir)
            .collections(collection)
            .autoSync(false)
            .requestTimeout(Duration.ofSeconds(10))
            .tokenSupplier(
                () -> {
                  // Asked before every request, on the sync thread: the slow network.
                  if (requests.incrementAndGet() > slowAfter) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                  }
                  return null;
                })
            .build();
    RecordCollection records = client.collection(collection);
    List<ObjectNode> inserts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inserts.add(Json.object().put("id", "r" + i).put("i", i));
    }
    records.saveAll(inserts);
    for (int i = 0; i < patched(n); i++) {
      records.update("r" + i, Json.object().put("patched", true));
    }
    List<String> deletes = new ArrayList<>();
    for (int i = firstDeleted(n); i < n; i++) {
      deletes.add("r" + i);
    }
    records.deleteAll(deletes);
    System.out.println("QUEUED " + client.pendingCount());
    System.out.flush();

    AtomicInteger synced = new AtomicInteger();
    client.onEvent(
        e -> {
          if (e.type() == SyncEventType.OPERATION_SYNCED) {
            System.out.println("SYNCED " + synced.incrementAndGet());
            System.out.flush();
          }
        });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (client.pendingCount() > 0 && System.nanoTime() < deadline) {
      client.syncNow().get(60, TimeUnit.SECONDS);
    }
    System.out.println("DONE " + client.pendingCount());
    client.close();
  }
}
