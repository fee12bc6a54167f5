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

  void closeAll(int code, String reason) {
    for (NettyConnection c : open) {
      c.close(code, reason);
    }
  }
}
