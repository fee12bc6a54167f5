package dev.patchbay.server.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The open WebSocket connections of one transport, for counting and for closing at shutdown. */
final class ConnectionRegistry {
  private final Set<NettyConnection> open = ConcurrentHashMap.newKeySet();

  // Set by closeAll. A connection whose handshake completes after closeAll took its snapshot (the
  // client already has the 101 answer while the server registers it) is closed by add itself;
  // before, it stayed open after shutdown and its client only noticed through its heartbeat.
  private boolean closing; // guarded by this
  private int closeCode;
  private String closeReason = "";

  /** Adds an open connection, or closes it at once when {@link #closeAll} already ran. */
  void add(NettyConnection connection) {
    boolean late;
    int code;
    String reason;
    synchronized (this) {
      open.add(connection);
      late = closing;
      code = closeCode;
      reason = closeReason;
    }
    if (late) {
      connection.close(code, reason);
    }
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
    java.util.List<NettyConnection> snapshot;
    synchronized (this) {
      closing = true;
      closeCode = code;
      closeReason = reason;
      snapshot = new java.util.ArrayList<>(open);
    }
    for (NettyConnection c : snapshot) {
      c.close(code, reason);
    }
    long deadline = System.nanoTime() + wait.toNanos();
    for (NettyConnection c : snapshot) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !c.closeFuture().awaitUninterruptibly(left / 1_000_000)) {
        return;
      }
    }
  }
}
