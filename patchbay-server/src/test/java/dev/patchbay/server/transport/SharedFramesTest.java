package dev.patchbay.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The frames encoded once for fan-out decode, as a client would, to exactly their payload. */
class SharedFramesTest {
  @Test
  void encode_everyLengthEncoding_decodesToThePayload() {
    for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 200_000}) {
      byte[] payload = new byte[length];
      Arrays.fill(payload, (byte) 'a');
      if (length > 0) {
        payload[length - 1] = 'z';
      }
      ByteBuf frame = SharedFrames.encode(payload, ByteBufAllocator.DEFAULT);
      EmbeddedChannel client =
          new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20));
      client.writeInbound(frame);
      TextWebSocketFrame decoded = client.readInbound();
      assertThat(decoded).as("length %d", length).isNotNull();
      assertThat(decoded.isFinalFragment()).isTrue();
      assertThat(ByteBufUtil.getBytes(decoded.content()))
          .as("length %d", length)
          .isEqualTo(payload);
      decoded.release();
      assertThat(client.finish()).isFalse();
    }
  }

  @Test
  void frameOf_sameArrayInARow_sharesOneBufferAndReleasesItWhenReplaced() {
    byte[] first = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    ByteBuf one = SharedFrames.frameOf(first, ByteBufAllocator.DEFAULT);
    ByteBuf two = SharedFrames.frameOf(first, ByteBufAllocator.DEFAULT);
    assertThat(ByteBufUtil.getBytes(one)).isEqualTo(ByteBufUtil.getBytes(two));
    // One buffer behind both (which object unwrap() returns is the allocator's business): a byte
    // written through one duplicate is read through the other.
    int at = one.readerIndex() + 3;
    one.setByte(at, 'b');
    assertThat(two.getByte(two.readerIndex() + 3)).isEqualTo((byte) 'b');

    ByteBuf other =
        SharedFrames.frameOf("{}".getBytes(StandardCharsets.UTF_8), ByteBufAllocator.DEFAULT);
    other.setByte(other.readerIndex() + 3, 'c');
    assertThat(one.getByte(at)).isEqualTo((byte) 'b');
    // The cache let go of the first buffer: only the two duplicates handed out hold it now.
    one.release();
    assertThat(two.refCnt()).isEqualTo(1);
    two.release();
    assertThat(two.refCnt()).isZero();
    other.release();
  }
}
