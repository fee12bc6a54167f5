package dev.patchbay.loadgen;

import dev.patchbay.core.json.Json;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The result of one run: named values in a stable order, printed for people (one {@code name value}
 * a line) or as one JSON object a line ({@code --json}).
 */
final class Report {
  private final Map<String, @Nullable Object> values = new LinkedHashMap<>();

  Report put(String name, @Nullable Object value) {
    values.put(name, value);
    return this;
  }

  /**
   * Adds {@code <prefix>Samples, p50ms, p90ms, p99ms, p999ms, maxms} of {@code h} (microseconds).
   */
  Report latency(String prefix, Histogram h) {
    boolean empty = h.getTotalCount() == 0;
    put(prefix + "Samples", h.getTotalCount());
    put(prefix + "P50ms", empty ? null : Latency.ms(h.getValueAtPercentile(50)));
    put(prefix + "P90ms", empty ? null : Latency.ms(h.getValueAtPercentile(90)));
    put(prefix + "P99ms", empty ? null : Latency.ms(h.getValueAtPercentile(99)));
    put(prefix + "P999ms", empty ? null : Latency.ms(h.getValueAtPercentile(99.9)));
    put(prefix + "Maxms", empty ? null : Latency.ms(h.getMaxValue()));
    return this;
  }

  @Nullable Object get(String name) {
    return values.get(name);
  }

  long getLong(String name) {
    Object v = values.get(name);
    return v == null ? -1 : ((Number) v).longValue();
  }

  Map<String, @Nullable Object> values() {
    return values;
  }

  String toJson() {
    return Json.MAPPER.writeValueAsString(values);
  }

  void print(PrintStream out, boolean json) {
    if (json) {
      out.println(toJson());
      return;
    }
    int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
    values.forEach(
        (k, v) -> out.println(String.format("%-" + width + "s  %s", k, v == null ? "-" : v)));
  }

  static double perSecond(long count, long nanos) {
    return nanos <= 0 ? 0 : Math.round(count * 1e10 / nanos) / 10.0;
  }
}
