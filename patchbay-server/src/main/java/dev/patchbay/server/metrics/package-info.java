/** The server's metrics, exposed as {@code GET /metrics} in the Prometheus text format. */
@NullMarked
package dev.patchbay.server.metrics;

import org.jspecify.annotations.NullMarked;
