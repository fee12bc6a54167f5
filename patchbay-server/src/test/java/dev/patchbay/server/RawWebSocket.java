package dev.patchbay.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * A bare RFC 6455 client on a plain socket, for what the JDK client hides: it does not answer
 * pings, and it can stop reading altogether (a small receive buffer makes the server's queue fill
 * quickly). No extensions are offered, so frames arrive uncompressed.
 */
final class RawWebSocket implements AutoCloseable {
  /** One frame as received: its opcode and payload. */
  record Frame(int opcode, byte[] payload) {
    static final int TEXT = 1;
    static final int CLOSE = 8;
    static final int PING = 9;

    /** The close code of a close frame. */
    int closeCode() {
      return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    String text() {
      return new String(
          payload,
          opcode == CLOSE ? 2 : 0,
          payload.length - (opcode == CLOSE ? 2 : 0),
          StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawWebSocket(int port, int receiveBufferBytes) throws IOException {
    socket = new Socket();
    socket.setReceiveBufferSize(receiveBufferBytes);
    socket.setSoTimeout(20_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 20_000);
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write(
        ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed during the upgrade");
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Sends one masked text frame (the mask is zero: clients must mask, any key will do). */
  void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    } else {
      throw new IllegalArgumentException("test frames stay small");
    }
    frame.write(new byte[4]); // masking key 0
    frame.write(payload);
    out.write(frame.toByteArray());
    out.flush();
  }

  /** Reads the next frame, or throws {@link EOFException} when the server closed the socket. */
  Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** Reads frames until a close frame (returned) or the end of the stream (null). */
  @Nullable Frame readUntilClose() throws IOException {
    try {
      while (true) {
        Frame f = readFrame();
        if (f.opcode() == Frame.CLOSE) {
          return f;
        }
      }
    } catch (EOFException e) {
      return null;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
