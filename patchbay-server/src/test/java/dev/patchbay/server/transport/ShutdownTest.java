package dev.patchbay.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What {@link PatchbayServer#close()} does to connections that are not (yet) WebSocket ones. */
class ShutdownTest {

  @Test
  void close_connectionThatNeverUpgraded_isClosedNotLeftOpen() throws Exception {
    PatchbayServer server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), DocStores.inMemory());
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), 10_000);
      socket.setSoTimeout(10_000); // a bound on the read below, should the socket stay open
      // Half a request: the server holds the connection, waiting for the rest.
      socket.getOutputStream().write("GET /ws HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();

      server.close();

      // Stopping the I/O threads left such sockets open: the client saw nothing at all.
      assertThat(endOfStream(socket.getInputStream())).isTrue();
    } finally {
      server.close();
    }
  }

  private static boolean endOfStream(InputStream in) throws Exception {
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true; // closed with a reset: also closed
    }
  }
}
