package dev.patchbay.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.TestClient;
import dev.patchbay.server.auth.AuthConfig;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Tokens never reach the log, not even at debug level (Patchbay's and Netty's loggers), whichever
 * way they were carried and whether they were accepted or not; and the auth flags parse.
 */
class AuthLoggingTest {
  private static final String GOOD = "good-token-abcdefghijklmnop";
  private static final String BAD = "bad-token-qrstuvwxyz012345";

  @TempDir Path dir;

  @Test
  void debugLogging_tokensAcceptedAndRejected_neverLogged() throws Exception {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, GOOD + " write=* sub=tester\n");
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger patchbay = (Logger) LoggerFactory.getLogger("dev.patchbay");
    Logger netty = (Logger) LoggerFactory.getLogger("io.netty");
    Level rootLevel = root.getLevel();
    Level patchbayLevel = patchbay.getLevel();
    Level nettyLevel = netty.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    root.setLevel(Level.DEBUG);
    patchbay.setLevel(Level.DEBUG);
    netty.setLevel(Level.DEBUG);
    try (PatchbayServer server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").auth(AuthConfig.tokens(tokens)).build(),
            DocStores.inMemory())) {
      URI base = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
      for (String token : List.of(GOOD, BAD)) {
        List<UnaryOperator<java.net.http.WebSocket.Builder>> carriers =
            List.of(
                b -> b.header("Authorization", "Bearer " + token),
                b -> b.subprotocols("token-" + token),
                b -> b.subprotocols("patches", "bearer." + token));
        for (var carrier : carriers) {
          open(base, carrier, token.equals(GOOD));
        }
        open(URI.create(base + "?token=" + token), b -> b, token.equals(GOOD));
      }
    } finally {
      root.detachAppender(captured);
      root.setLevel(rootLevel);
      patchbay.setLevel(patchbayLevel);
      netty.setLevel(nettyLevel);
    }
    assertThat(captured.list).isNotEmpty();
    for (ILoggingEvent event : captured.list) {
      String line =
          event.getFormattedMessage()
              + (event.getThrowableProxy() == null ? "" : event.getThrowableProxy().getMessage());
      assertThat(line).doesNotContain("token-abcdefghijklmnop").doesNotContain("qrstuvwxyz012345");
    }
  }

  private static void open(
      URI uri, UnaryOperator<java.net.http.WebSocket.Builder> carrier, boolean accepted) {
    if (accepted) {
      try (TestClient c = new TestClient(uri, carrier)) {
        c.result("subscribe", Json.parse("[\"d\"]"));
      }
    } else {
      assertThat(catchThrowable(() -> new TestClient(uri, carrier).close())).isNotNull();
    }
  }

  @Test
  void authFlags_parseIntoAuthConfig() throws Exception {
    Path secret = dir.resolve("secret");
    ServeCommand command = new ServeCommand();
    new CommandLine(command)
        .parseArgs(
            "--auth",
            "jwt",
            "--jwt-secret-file",
            secret.toString(),
            "--jwt-issuer",
            "https://id",
            "--jwt-audience",
            "sync",
            "--jwt-clock-skew-seconds",
            "5");
    AuthConfig auth = command.authConfig();
    assertThat(auth.mode()).isEqualTo(AuthConfig.Mode.JWT);
    assertThat(auth.jwtSecretFile()).isEqualTo(secret);
    assertThat(auth.jwtIssuer()).isEqualTo("https://id");
    assertThat(auth.jwtAudience()).isEqualTo("sync");
    assertThat(auth.jwtClockSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(auth.tokenFile()).isNull();
  }

  @Test
  void noAuthConfigured_warnsLoudlyAtStart() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try (PatchbayServer server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), DocStores.inMemory())) {
      assertThat(server.address().getPort()).isPositive();
    } finally {
      root.detachAppender(captured);
    }
    assertThat(captured.list)
        .anySatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage()).contains("AUTHENTICATION IS OFF");
            });
  }
}
