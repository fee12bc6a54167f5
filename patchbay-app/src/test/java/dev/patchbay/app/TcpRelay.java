package dev.patchbay.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A TCP relay on its own local port in front of a server process, so that devices keep one base URL
 * while the server behind it stops and comes back on another port (servers bind port 0). Without a
 * target it accepts each connection and closes it at once: to a device the server is unreachable.
 * Bytes are copied as they come, so HTTP and WebSocket connections both pass. It can also lose the
 * answer to one request: the server gets the request and answers, the client gets a cut connection.
 */
final class TcpRelay implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile @Nullable InetSocketAddress target;
  private final AtomicReference<@Nullable String> loseAnswerTo = new AtomicReference<>();
  private final CountDownLatch answerLost = new CountDownLatch(1);

  TcpRelay(InetSocketAddress target) throws IOException {
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    Thread acceptor = new Thread(this::acceptLoop, "relay-accept-" + THREADS.incrementAndGet());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The relay's own port. */
  int port() {
    return listener.getLocalPort();
  }

  /**
   * Sends new connections to {@code next}, or closes them at once when it is null, and cuts every
   * connection open now (as the death of the server would).
   */
  void retarget(@Nullable InetSocketAddress next) {
    this.target = next;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /**
   * Arms the relay to lose the answer to the next request whose bytes start with {@code prefix}
   * (e.g. {@code "POST "}): the request reaches the server, and when its answer comes back the
   * connection is cut instead. Returns a latch that opens once an answer was lost.
   */
  CountDownLatch loseNextAnswerTo(String prefix) {
    loseAnswerTo.set(prefix);
    return answerLost;
  }

  @Override
  public void close() {
    closeQuietly(listener);
    retarget(null);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      Socket down;
      try {
        down = listener.accept();
      } catch (IOException closed) {
        return;
      }
      InetSocketAddress to = target;
      if (to == null) {
        closeQuietly(down);
        continue;
      }
      Socket up = new Socket();
      try {
        up.connect(to, 5_000);
      } catch (IOException refused) {
        closeQuietly(up);
        closeQuietly(down);
        continue;
      }
      open.add(down);
      open.add(up);
      AtomicBoolean loseAnswer = new AtomicBoolean();
      pump(down, up, loseAnswer, true);
      pump(up, down, loseAnswer, false);
    }
  }

  /**
   * Copies {@code from} to {@code to} until either ends, then closes both. The request side marks
   * the connection when it passes the request whose answer is to be lost; the answer side then cuts
   * the connection instead of passing the answer.
   */
  private void pump(Socket from, Socket to, AtomicBoolean loseAnswer, boolean requests) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  if (requests) {
                    String prefix = loseAnswerTo.get();
                    if (prefix != null
                        && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).startsWith(prefix)
                        && loseAnswerTo.compareAndSet(prefix, null)) {
                      loseAnswer.set(true);
                    }
                  } else if (loseAnswer.get()) {
                    answerLost.countDown();
                    return; // the finally block cuts both sides
                  }
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException cut) {
                // one side closed or was cut: close the other below
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
              }
            },
            "relay-pump-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }
}
