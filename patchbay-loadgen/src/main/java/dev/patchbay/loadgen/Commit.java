package dev.patchbay.loadgen;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * The commit workload of {@code ../shared/peer-bench} (MODE=commit): N clients, all subscribed to
 * one document, each committing K changes one after the other, each awaiting its answer before the
 * next. A change inserts {@code "<i>:<j> "} at the start of the text {@code /body} and sets {@code
 * /k<i>} to j. This is a closed loop: the next send is due when the answer arrives, so the ack
 * latency (send to answer) has no coordinated omission to correct; it measures the per-document
 * serial path, durable write included.
 */
final class Commit {
  /** The parameters of one run; {@code limit} bounds the run, set-up excluded. */
  record Spec(int clients, int changesPerClient, Duration limit) {
    Spec {
      if (clients < 1 || changesPerClient < 1) {
        throw new IllegalArgumentException("commit needs clients >= 1 and changes >= 1");
      }
    }
  }

  private final Spec spec;
  private final String doc = "bench" + System.currentTimeMillis() + "-" + Broadcast.rid() + "-one";
  private final Latency latency = new Latency();
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final CountDownLatch finished;
  private volatile boolean stopped;

  private Commit(Spec spec) {
    this.spec = spec;
    this.finished = new CountDownLatch(spec.clients());
  }

  static Report run(Driver driver, Target target, Spec spec, boolean progress, PrintStream err) {
    return new Commit(spec).execute(driver, target, progress, err);
  }

  private final class Client {
    final WsClient ws;
    final int index;
    long rev;
    int seq;

    Client(WsClient ws, int index) {
      this.ws = ws;
      this.index = index;
    }
  }

  private Report execute(Driver driver, Target target, boolean progress, PrintStream err) {
    List<WsClient> sockets = driver.connectAll(target.uri(), spec.clients());
    List<Client> clients = new ArrayList<>();
    List<CompletableFuture<?>> setup = new ArrayList<>();
    for (int i = 0; i < sockets.size(); i++) {
      Client c = new Client(sockets.get(i), i);
      c.ws.leanNotifications(true); // only revisions are read
      c.ws.listener(
          (ws, m, at) -> {
            if (m.path("method").asString("").equals("changesCommitted")) {
              for (JsonNode ch : m.path("params").path("changes")) {
                c.rev = Math.max(c.rev, ch.path("rev").asLong(0));
              }
            }
          });
      clients.add(c);
      setup.add(c.ws.call("subscribe", "[[\"" + doc + "\"]]"));
    }
    Broadcast.await(setup, "subscribe");
    long t0 = System.nanoTime();
    clients.forEach(c -> c.ws.loop().execute(() -> next(c)));
    long total = (long) spec.clients() * spec.changesPerClient();
    try (Progress p =
        Progress.start(
            "commit",
            () -> {
              Histogram h = latency.interval();
              return String.format(
                  "committed %d/%d errors %d | last second: %d commits, %s",
                  committed.get(), total, errors.get(), h.getTotalCount(), Latency.brief(h));
            },
            progress,
            err)) {
      boolean complete = finished.await(spec.limit().toNanos(), TimeUnit.NANOSECONDS);
      stopped = true;
      long elapsed = System.nanoTime() - t0;
      return new Report()
          .put("workload", "commit")
          .put("system", target.system())
          .put("clients", spec.clients())
          .put("changesPerClient", spec.changesPerClient())
          .put("committed", committed.get())
          .put("errors", errors.get())
          .put("complete", complete)
          .put("stoppedBy", complete ? null : "duration-limit")
          .put("seconds", Math.round(elapsed / 1e6) / 1e3)
          .put("commitsPerSec", Report.perSecond(committed.get(), elapsed))
          .latency("ack", latency.total());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      stopped = true;
      Driver.closeAll(sockets);
    }
  }

  /** Sends the next change of {@code c} (on its event loop), or finishes the client. */
  private void next(Client c) {
    if (stopped || c.seq >= spec.changesPerClient()) {
      finished.countDown();
      return;
    }
    int j = c.seq++;
    String params =
        "[\""
            + doc
            + "\",[{\"id\":\""
            + doc
            + "-"
            + c.index
            + "-"
            + j
            + "\",\"baseRev\":"
            + c.rev
            + ",\"rev\":"
            + (c.rev + 1)
            + ",\"createdAt\":"
            + System.currentTimeMillis()
            + ",\"ops\":[{\"op\":\"@txt\",\"path\":\"/body\",\"value\":[{\"insert\":\""
            + c.index
            + ":"
            + j
            + " \"}]},{\"op\":\"replace\",\"path\":\"/k"
            + c.index
            + "\",\"value\":"
            + j
            + "}]}]]";
    long sentAt = System.nanoTime();
    c.ws
        .commit(params)
        .whenComplete(
            (answer, failure) -> {
              latency.recordMicros((System.nanoTime() - sentAt) / 1_000);
              if (failure != null || answer.has("error")) {
                errors.incrementAndGet();
                if (failure != null) {
                  // The connection is gone: this client cannot go on.
                  finished.countDown();
                  return;
                }
              } else {
                committed.incrementAndGet();
                for (JsonNode ch : answer.path("result").path("changes")) {
                  c.rev = Math.max(c.rev, ch.path("rev").asLong(0));
                }
              }
              next(c);
            });
  }
}
