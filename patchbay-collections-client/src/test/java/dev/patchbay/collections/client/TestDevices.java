package dev.patchbay.collections.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The devices of one multi-device test: builders against the test's server, each with its own data
 * directory under the test's temporary directory, manual sync and the test's clock; every device
 * opened here is closed with {@link #close}.
 */
final class TestDevices implements AutoCloseable {
  private final Path dir;
  private final TestClock clock;
  private final List<CollectionsClient> open = new ArrayList<>();

  TestDevices(Path dir, TestClock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** A device named {@code name} of the server at {@code url}, syncing {@code collections}. */
  CollectionsClient.Builder device(String url, String name, String... collections) {
    return CollectionsClient.builder()
        .baseUrl(url)
        .dataDirectory(dir.resolve(name))
        .collections(collections)
        .autoSync(false)
        .clock(clock)
        .requestTimeout(Duration.ofSeconds(10));
  }

  /** Builds the device; it is closed with the others. */
  DefaultCollectionsClient open(CollectionsClient.Builder builder) {
    CollectionsClient c = builder.build();
    open.add(c);
    return (DefaultCollectionsClient) c;
  }

  /** Closes a device now (a device that dies mid-test), instead of at the end. */
  void close(CollectionsClient device) {
    device.close();
    open.remove(device);
  }

  /** One sync run, awaited (at most 60 s). */
  static SyncResult sync(CollectionsClient c) {
    return c.syncNow().orTimeout(60, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    open.forEach(CollectionsClient::close);
  }
}
