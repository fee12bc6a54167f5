package dev.patchbay.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Latencies in microseconds: recorded wait-free from the event loop threads (HdrHistogram {@link
 * Recorder}), read per interval by the progress line and in total at the end. Three significant
 * digits, auto-resizing, so no sample is clipped.
 */
final class Latency {
  private final Recorder recorder = new Recorder(3);
  private final Histogram total = new Histogram(3);
  private @Nullable Histogram interval;

  void recordMicros(long micros) {
    recorder.recordValue(Math.max(0, micros));
  }

  /** Returns the samples since the previous call (and adds them to the total). */
  synchronized Histogram interval() {
    // The recycled histogram must be one this recorder handed out before.
    Histogram h =
        interval == null
            ? recorder.getIntervalHistogram()
            : recorder.getIntervalHistogram(interval);
    total.add(h);
    interval = h;
    return h;
  }

  /** Returns a copy of every sample recorded so far. */
  synchronized Histogram total() {
    interval();
    return total.copy();
  }

  static double ms(double micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  /** {@code p50 1.23 p99 4.56 ms} of {@code h}, or {@code -} when it has no sample. */
  static String brief(Histogram h) {
    if (h.getTotalCount() == 0) {
      return "p50 - p99 - ms";
    }
    return "p50 "
        + ms(h.getValueAtPercentile(50))
        + " p99 "
        + ms(h.getValueAtPercentile(99))
        + " ms";
  }
}
