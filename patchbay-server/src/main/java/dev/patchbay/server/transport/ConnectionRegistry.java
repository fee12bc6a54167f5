package dev.patchbay.server.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open WebSocket connections of one transport, for counting and for closing at shutdown. */
final class ConnectionRegistry {
  private final Set<NettyConnection> open = ConcurrentHashMap.newKeySet();

  void add(NettyConnection connection) {
    open.add(connection);
  }

  void remove(NettyConnection connection) {
    open.remove(connection);
  }

  int size() {
    return open.size();
  }

  /**
   * Sends every connection a close frame (behind what is already queued for it) and waits, at most
   * {@code wait}, until the channels have closed, so queued answers reach their clients before the
   * I/O threads stop.
   */
  void closeAll(int code, String reason, java.time.Duration wait) {
    java.util.List<NettyConnection> closing = new java.util.ArrayList<>(open);
    for (NettyConnection c : closing) {
      c.close(code, reason);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (NettyConnection c : closing) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !c.closeFuture().awaitUninterruptibly(left / 1_000_000)) {
        return;
      }
    }
  }
}
