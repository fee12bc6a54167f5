/**
 * {@code patchbay bench}: a load driver for Patchbay and any server of the Patches JSON-RPC
 * protocol. {@link dev.patchbay.loadgen.BenchCommand} is the only public type; the workloads, the
 * Netty WebSocket client, the echo baseline server and the chart are internal.
 */
@NullMarked
package dev.patchbay.loadgen;

import org.jspecify.annotations.NullMarked;
