package dev.patchbay.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes a fan-out message once as a whole WebSocket frame, header included, for every connection
 * it goes to. A server frame is unmasked, so the bytes are the same for every client that receives
 * the message uncompressed; each connection writes a retained duplicate of one buffer, which skips
 * the per-connection frame object, header allocation and payload copy of the WebSocket encoder
 * (whose outbound handlers pass a raw buffer through untouched).
 *
 * <p>{@link #encode} alone serves a message for one connection (an answer) the same way: one direct
 * buffer, written as it is.
 *
 * <p>The cache is one entry per sending thread: a document's shard thread hands the same array to
 * all of its subscribers in a row. The entry is released when the next message replaces it; the
 * duplicates still queued keep the buffer alive until they are written.
 */
final class SharedFrames {
  private static final ThreadLocal<Entry> LAST = new ThreadLocal<>();

  private record Entry(byte[] payload, ByteBuf frame) {}

  private SharedFrames() {}

  /** Returns a retained duplicate of the encoded frame of {@code payload}; the caller owns it. */
  static ByteBuf frameOf(byte[] payload, ByteBufAllocator alloc) {
    Entry last = LAST.get();
    if (last != null && last.payload() == payload) {
      return last.frame().retainedDuplicate();
    }
    if (last != null) {
      last.frame().release();
    }
    ByteBuf frame = encode(payload, alloc);
    LAST.set(new Entry(payload, frame));
    return frame.retainedDuplicate();
  }

  /** A final, unmasked text frame (RFC 6455 §5.2) carrying {@code payload}. */
  static ByteBuf encode(byte[] payload, ByteBufAllocator alloc) {
    int length = payload.length;
    int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    ByteBuf frame = alloc.directBuffer(header + length);
    frame.writeByte(0x81); // FIN, text
    if (length < 126) {
      frame.writeByte(length);
    } else if (length <= 0xFFFF) {
      frame.writeByte(126);
      frame.writeShort(length);
    } else {
      frame.writeByte(127);
      frame.writeLong(length);
    }
    frame.writeBytes(payload);
    return frame;
  }
}
