package dev.patchbay.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The server's meters, every name prefixed {@code patchbay_}. Tags are bounded: methods outside the
 * known set count as {@code other}, so a client sending random method names cannot grow the
 * registry. Nothing here ever sees document content or credentials. Thread-safe.
 */
public final class PatchbayMetrics {
  /** The JSON-RPC methods (and notifications) that get their own tag value. */
  private static final Set<String> METHODS =
      Set.of(
          "subscribe",
          "unsubscribe",
          "getDoc",
          "getChangesSince",
          "commitChanges",
          "deleteDoc",
          "undeleteDoc",
          "listVersions",
          "createVersion",
          "updateVersion",
          "getVersionState",
          "getVersionChanges",
          "getStateBeforeVersion",
          "ping",
          "changesCommitted",
          "docDeleted");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> in = new ConcurrentHashMap<>();
  private final Map<String, Counter> out = new ConcurrentHashMap<>();
  private final Map<Integer, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
  private final Map<String, Counter> closed = new ConcurrentHashMap<>();
  private final Map<String, Counter> collectionWrites = new ConcurrentHashMap<>();
  private final Counter commits;
  private final Timer commitLatency;
  private final Timer fanoutLatency;
  private final Timer storeWriteLatency;

  /** Creates an empty registry. */
  public PatchbayMetrics() {
    commits =
        Counter.builder("patchbay.commits")
            .description("commitChanges calls that committed")
            .register(registry);
    commitLatency = histogram("patchbay.commit.latency", "commitChanges, request to answer");
    fanoutLatency =
        histogram("patchbay.fanout.latency", "encoding and queueing one commit's notifications");
    storeWriteLatency = histogram("patchbay.store.write.latency", "durable store writes");
  }

  private Timer histogram(String name, String description) {
    return Timer.builder(name)
        .description(description)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  /** Registers the gauges read at each scrape: open connections and loaded documents. */
  public void bindGauges(IntSupplier connections, IntSupplier documents) {
    Gauge.builder("patchbay.connections", connections, s -> s.getAsInt())
        .description("open WebSocket connections")
        .strongReference(true) // the supplier is a lambda only this gauge holds
        .register(registry);
    Gauge.builder("patchbay.documents.loaded", documents, s -> s.getAsInt())
        .description("documents loaded in memory")
        .strongReference(true)
        .register(registry);
  }

  /** Counts one message received, by method. */
  public void messageIn(String method) {
    counter(in, tagOf(method), m -> "patchbay.messages.in", "method").increment();
  }

  /** Counts one message sent (an answer or a notification), by method. */
  public void messageOut(String method) {
    messageOut(method, 1);
  }

  /** Counts {@code count} messages sent for one method (a fan-out sends many at once). */
  public void messageOut(String method, int count) {
    counter(out, tagOf(method), m -> "patchbay.messages.out", "method").increment(count);
  }

  /** Counts one error answer, by its code. */
  public void error(int code) {
    errors
        .computeIfAbsent(
            code,
            c ->
                Counter.builder("patchbay.errors")
                    .description("error answers by code")
                    .tag("code", Integer.toString(c))
                    .register(registry))
        .increment();
  }

  /** Counts one refused WebSocket upgrade, by reason (e.g. {@code max-connections}). */
  public void rejectedUpgrade(String reason) {
    counter(rejected, reason, r -> "patchbay.rejected.upgrades", "reason").increment();
  }

  /**
   * Counts one collection write by how it was settled: {@code applied}, {@code duplicate}, {@code
   * ignored}, {@code conflict}, {@code not_found} or {@code failed}.
   */
  public void collectionWrite(String result) {
    counter(collectionWrites, result, r -> "patchbay.collection.writes", "result").increment();
  }

  /** Counts one connection the server closed for a limit, by reason (e.g. {@code slow}). */
  public void closedByServer(String reason) {
    counter(closed, reason, r -> "patchbay.closed.connections", "reason").increment();
  }

  /** Records one successful commit and its latency. */
  public void commit(long nanos) {
    commits.increment();
    commitLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Records one commit's fan-out time. */
  public void fanout(long nanos) {
    fanoutLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Records one store write's latency. */
  public void storeWrite(long nanos) {
    storeWriteLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Returns the underlying registry, for embedders who add their own meters or publish it. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Returns every meter in the Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  private Counter counter(
      Map<String, Counter> cache, String tag, Function<String, String> name, String tagKey) {
    Counter c = cache.get(tag);
    if (c == null) {
      c =
          cache.computeIfAbsent(
              tag, t -> Counter.builder(name.apply(t)).tag(tagKey, t).register(registry));
    }
    return c;
  }

  private static String tagOf(String method) {
    return METHODS.contains(method) ? method : "other";
  }
}
