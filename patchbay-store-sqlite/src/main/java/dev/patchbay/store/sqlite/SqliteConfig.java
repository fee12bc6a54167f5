package dev.patchbay.store.sqlite;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The sealed, validated settings of one store (see {@link SqliteStores.Builder}). */
record SqliteConfig(
    Path file,
    SqliteStores.Durability durability,
    int readConnections,
    int writeQueueCapacity,
    int maxBatchSize,
    Duration enqueueTimeout,
    Duration busyTimeout,
    Clock clock) {}
