package dev.patchbay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.PatchbayException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
  @Test
  void defaults_limits_areTheDocumentedOnes() {
    ServerConfig c = ServerConfig.defaults();
    assertThat(c.maxConnections()).isEqualTo(10_000);
    assertThat(c.maxConnectionsPerAddress()).isEqualTo(100);
    assertThat(c.messagesPerSecond()).isEqualTo(200);
    assertThat(c.messageBurst()).isEqualTo(400);
    assertThat(c.maxOutboundBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void build_idleTimeoutNotAbovePing_failsNamingTheSetting() {
    assertThatThrownBy(
            () ->
                ServerConfig.builder()
                    .pingInterval(Duration.ofSeconds(30))
                    .idleTimeout(Duration.ofSeconds(30))
                    .build())
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("idle-timeout");
  }

  @Test
  void build_invalidLimits_failNamingTheSetting() {
    assertThatThrownBy(() -> ServerConfig.builder().maxOutboundBytes(1000).build())
        .hasMessageContaining("max-outbound-bytes");
    assertThatThrownBy(() -> ServerConfig.builder().maxConnectionsPerAddress(0).build())
        .hasMessageContaining("max-connections-per-address");
    assertThatThrownBy(() -> ServerConfig.builder().maxConnections(0).build())
        .hasMessageContaining("max-connections");
    assertThatThrownBy(() -> ServerConfig.builder().messagesPerSecond(0).build())
        .hasMessageContaining("max-messages-per-second");
    assertThatThrownBy(() -> ServerConfig.builder().messageBurst(0).build())
        .hasMessageContaining("message-burst");
    assertThatThrownBy(() -> ServerConfig.builder().handshakeTimeout(Duration.ZERO).build())
        .hasMessageContaining("handshake-timeout");
  }

  @Test
  void build_collectionSettings_defaultAndValidateNamingTheSetting() {
    ServerConfig c = ServerConfig.defaults();
    assertThat(c.collectionRules()).isEmpty();
    assertThat(c.maxRecordBytes()).isEqualTo(1024 * 1024);
    assertThat(
            ServerConfig.builder()
                .collectionRules(java.util.List.of("todos=lww", "inv-*=reject"))
                .build()
                .collectionRules())
        .containsExactly("todos=lww", "inv-*=reject");
    assertThatThrownBy(
            () -> ServerConfig.builder().collectionRules(java.util.List.of("todos")).build())
        .isInstanceOf(PatchbayException.class)
        .hasMessageContaining("collection-rule");
    assertThatThrownBy(
            () -> ServerConfig.builder().collectionRules(java.util.List.of("todos=maybe")).build())
        .hasMessageContaining("collection-rule");
    assertThatThrownBy(() -> ServerConfig.builder().maxRecordBytes(10).build())
        .hasMessageContaining("max-record-bytes");
  }
}
