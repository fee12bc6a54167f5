package dev.patchbay.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.metrics.PatchbayMetrics;
import dev.patchbay.server.spi.Identity;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionRegistryTest {
  private final PatchbayMetrics metrics = new PatchbayMetrics();

  private NettyConnection connection(EmbeddedChannel channel) {
    return new NettyConnection("c1", channel, 1 << 20, metrics, Identity.anonymous());
  }

  @Test
  void add_afterCloseAll_closesTheLateConnectionWithTheSameCode() {
    ConnectionRegistry registry = new ConnectionRegistry();
    registry.closeAll(1001, "server shutting down", Duration.ZERO);
    EmbeddedChannel channel = new EmbeddedChannel();

    // The handshake completed after the shutdown's snapshot: its client already holds the 101.
    registry.add(connection(channel));

    CloseWebSocketFrame frame = channel.readOutbound();
    assertThat(frame.statusCode()).isEqualTo(1001);
    assertThat(frame.reasonText()).isEqualTo("server shutting down");
    frame.release();
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void add_beforeCloseAll_staysOpenUntilCloseAll() {
    ConnectionRegistry registry = new ConnectionRegistry();
    EmbeddedChannel channel = new EmbeddedChannel();

    registry.add(connection(channel));

    assertThat((Object) channel.readOutbound()).isNull();
    assertThat(channel.isOpen()).isTrue();
    registry.closeAll(1001, "bye", Duration.ZERO);
    CloseWebSocketFrame frame = channel.readOutbound();
    assertThat(frame.statusCode()).isEqualTo(1001);
    frame.release();
  }
}
