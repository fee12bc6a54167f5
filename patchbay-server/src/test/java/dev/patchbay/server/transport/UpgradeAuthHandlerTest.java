package dev.patchbay.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class UpgradeAuthHandlerTest {
  private static FullHttpRequest request(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  @Test
  void takeToken_headerWinsAndIsRemoved() {
    FullHttpRequest r = request("/ws?token=q");
    r.headers().set(HttpHeaderNames.AUTHORIZATION, "bearer h");
    r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "patches, token-s");
    assertThat(UpgradeAuthHandler.takeToken(r)).isEqualTo("h");
    assertThat(r.headers().contains(HttpHeaderNames.AUTHORIZATION)).isFalse();
    assertThat(r.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)).isEqualTo("token-s");
    r.release();
  }

  @Test
  void takeToken_subprotocolNarrowsTheOffer() {
    FullHttpRequest r = request("/ws?token=q");
    r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "patches, bearer.a.b.c, other");
    assertThat(UpgradeAuthHandler.takeToken(r)).isEqualTo("a.b.c");
    assertThat(r.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)).isEqualTo("bearer.a.b.c");
    r.release();
  }

  @Test
  void takeToken_queryLast_absentIsNull() {
    FullHttpRequest q = request("/ws?x=1&token=abc");
    q.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "patches");
    assertThat(UpgradeAuthHandler.takeToken(q)).isEqualTo("abc");
    assertThat(q.uri()).isEqualTo("/ws?x=1");
    assertThat(q.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)).isEqualTo("patches");
    assertThat(UpgradeAuthHandler.takeToken(request("/ws?token="))).isNull();
    assertThat(UpgradeAuthHandler.takeToken(request("/ws"))).isNull();
    FullHttpRequest basic = request("/ws");
    basic.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic dXNlcjpwYXNz");
    assertThat(UpgradeAuthHandler.takeToken(basic)).isNull();
    q.release();
  }
}
