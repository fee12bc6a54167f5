package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.DocAccess;
import dev.patchbay.server.spi.Identity;
import dev.patchbay.server.store.DocStores;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Authentication and per-collection / per-record rights on the collection routes: the HTTP Bearer
 * token, and for both WebSocket dialects the token in the query, in the subprotocol, or in a first
 * {@code auth} message.
 */
class CollectionsAuthTest {
  /** alice writes todos and notes; bob reads todos, carol notes; eve may touch nothing. */
  private static final Map<String, Identity> TOKENS =
      Map.of(
          "alice-token-0123456789",
          new Identity(
              "alice", Map.of(), new DocAccess(List.of(), List.of("todos/*", "notes/*")), null),
          "bob-token-0123456789",
          new Identity("bob", Map.of(), new DocAccess(List.of("todos/*"), List.of()), null),
          "eve-token-0123456789",
          new Identity("eve", Map.of(), new DocAccess(List.of("other/*"), List.of()), null),
          "carol-token-0123456789",
          new Identity("carol", Map.of(), new DocAccess(List.of("notes/*"), List.of()), null));

  private static final Authenticator AUTH =
      credentials -> {
        String token = credentials.token();
        Identity id = token == null ? null : TOKENS.get(token);
        return CompletableFuture.completedFuture(
            id == null
                ? AuthResult.unauthorized(token == null ? "missing token" : "invalid token")
                : AuthResult.accept(id));
      };

  private PatchbayServer server;
  private String base;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder()
                .port(0)
                .store("memory")
                .handshakeTimeout(java.time.Duration.ofSeconds(2))
                .build(),
            DocStores.inMemory(),
            AUTH,
            Authorizer.byIdentity());
    base = "127.0.0.1:" + server.address().getPort();
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private SyncHttp http(String token) {
    return new SyncHttp("http://" + base, token);
  }

  private WsClient ws(String pathAndQuery, String... subprotocols) {
    WsClient c = WsClient.connect("ws://" + base + pathAndQuery, subprotocols);
    clients.add(c);
    return c;
  }

  @Test
  void http_missingOrBadToken_answers401AuthFailed() {
    SyncHttp.Res none = http(null).get("/sync/todos");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.body().get("code").stringValue()).isEqualTo("AUTH_FAILED");
    SyncHttp.Res bad = http("nope-nope-nope-nope").post("/sync/todos", "{}");
    assertThat(bad.status()).isEqualTo(401);
    assertThat(bad.body().get("code").stringValue()).isEqualTo("AUTH_FAILED");
  }

  @Test
  void http_rightsAreCheckedPerCollectionAndRecord() {
    SyncHttp alice = http("alice-token-0123456789");
    SyncHttp bob = http("bob-token-0123456789");
    SyncHttp eve = http("eve-token-0123456789");
    assertThat(alice.post("/sync/todos", "{\"recordId\":\"a\",\"data\":{}}").status())
        .isEqualTo(200);
    SyncHttp.Res denied = bob.post("/sync/todos", "{\"recordId\":\"b\",\"data\":{}}");
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.body().get("code").stringValue()).isEqualTo("UNAUTHORIZED");
    assertThat(bob.delete("/sync/todos/a").status()).isEqualTo(403);
    assertThat(bob.patch("/sync/todos/a", "{\"delta\":{}}").status()).isEqualTo(403);
    assertThat(bob.get("/sync/todos").body().get("records")).hasSize(1);
    assertThat(eve.get("/sync/todos").status()).isEqualTo(403);
    assertThat(eve.get("/sync/todos/a").status()).isEqualTo(403);
    assertThat(alice.post("/sync/secrets", "{\"recordId\":\"s\",\"data\":{}}").status())
        .isEqualTo(403);
    assertThat(alice.get("/sync/todos/b").status()).isEqualTo(404);
  }

  @Test
  void syncLayer_tokenInQuery_authenticatesAndUserIdIsTheSubject() {
    WsClient bob = ws("/sync/ws?token=bob-token-0123456789");
    bob.send("{\"type\":\"subscribe\",\"collection\":\"todos\"}");
    bob.next("subscribed");
    WsClient alice = ws("/sync/ws?token=alice-token-0123456789");
    alice.send("{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"a\",\"data\":{}}");
    assertThat(bob.next("insert").get("metadata").get("userId").stringValue()).isEqualTo("alice");
  }

  @Test
  void syncLayer_badTokenInQuery_getsAuthFailedAndClose1008() {
    WsClient c = ws("/sync/ws?token=wrong-wrong-wrong");
    assertThat(c.next("error").get("code").stringValue()).isEqualTo("AUTH_FAILED");
    assertThat(c.awaitClose()).isEqualTo(1008);
  }

  @Test
  void syncLayer_firstMessageAuth_answersAuthenticated() {
    WsClient c = ws("/sync/ws");
    c.send("{\"type\":\"auth\",\"token\":\"alice-token-0123456789\"}");
    c.next("authenticated");
    c.send("{\"type\":\"subscribe\",\"collection\":\"todos\"}");
    c.next("subscribed");
  }

  @Test
  void syncLayer_firstMessageAuthWithBadToken_getsAuthFailedAndClose1008() {
    WsClient c = ws("/sync/ws");
    c.send("{\"type\":\"auth\",\"token\":\"wrong-wrong-wrong\"}");
    JsonNode e = c.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("AUTH_FAILED");
    assertThat(c.awaitClose()).isEqualTo(1008);
  }

  @Test
  void syncLayer_messageBeforeAuth_getsAuthFailedAndClose1008() {
    WsClient c = ws("/sync/ws");
    c.send("{\"type\":\"subscribe\",\"collection\":\"todos\"}");
    assertThat(c.next("error").get("code").stringValue()).isEqualTo("AUTH_FAILED");
    assertThat(c.awaitClose()).isEqualTo(1008);
  }

  @Test
  void syncLayer_noAuthWithinTimeout_isClosed1008() {
    WsClient c = ws("/sync/ws");
    JsonNode e = c.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("AUTH_FAILED");
    assertThat(e.get("error").stringValue()).contains("timed out");
    assertThat(c.awaitClose()).isEqualTo(1008);
  }

  @Test
  void syncLayer_subprotocolToken_isEchoedAndAuthenticates() {
    WsClient c = ws("/sync/ws", "token-alice-token-0123456789");
    assertThat(c.subprotocol()).isEqualTo("token-alice-token-0123456789");
    c.send("{\"type\":\"subscribe\",\"collection\":\"todos\"}");
    c.next("subscribed");
  }

  @Test
  void syncLayer_subscribeAndWriteWithoutRights_answerUnauthorized() {
    WsClient bob = ws("/sync/ws?token=bob-token-0123456789");
    bob.send("{\"type\":\"subscribe\",\"collection\":\"secrets\"}");
    JsonNode e = bob.next("error");
    assertThat(e.get("code").stringValue()).isEqualTo("UNAUTHORIZED");
    assertThat(e.get("metadata").get("collection").stringValue()).isEqualTo("secrets");
    bob.send("{\"type\":\"insert\",\"collection\":\"todos\",\"recordId\":\"b\",\"data\":{}}");
    assertThat(bob.next("error").get("code").stringValue()).isEqualTo("UNAUTHORIZED");
    bob.send("{\"type\":\"sync\",\"collection\":\"secrets\"}");
    assertThat(bob.next("error").get("code").stringValue()).isEqualTo("UNAUTHORIZED");
    assertThat(http("alice-token-0123456789").get("/sync/todos/b").status()).isEqualTo(404);
  }

  @Test
  void notes_subprotocolToken_authenticates() {
    WsClient c = ws("/notes/ws", "token-alice-token-0123456789");
    assertThat(c.subprotocol()).isEqualTo("token-alice-token-0123456789");
    c.next("sync_required");
  }

  @Test
  void notes_firstMessageAuth_thenSyncRequired() {
    WsClient c = ws("/notes/ws");
    c.send(
        "{\"type\":\"auth\",\"payload\":{\"token\":\"alice-token-0123456789\"},"
            + "\"timestamp\":\"t\"}");
    c.next("authenticated");
    c.next("sync_required");
  }

  @Test
  void notes_badToken_getsAuthFailedAndClose1008() {
    WsClient c = ws("/notes/ws?token=wrong-wrong-wrong");
    assertThat(c.next("error").get("payload").get("code").stringValue()).isEqualTo("AUTH_FAILED");
    assertThat(c.awaitClose()).isEqualTo(1008);
  }

  @Test
  void notes_withoutReadRight_getsUnauthorizedAndClose() {
    WsClient c = ws("/notes/ws?token=eve-token-0123456789");
    assertThat(c.next("error").get("payload").get("code").stringValue()).isEqualTo("UNAUTHORIZED");
    assertThat(c.awaitClose()).isEqualTo(1008);
  }

  @Test
  void notes_writeWithoutRight_answersUnauthorizedAndChangesNothing() {
    WsClient carol = ws("/notes/ws?token=carol-token-0123456789");
    carol.next("sync_required");
    carol.send(
        "{\"type\":\"note_update\",\"payload\":{\"note\":{\"id\":\"n1\",\"title\":\"no\"}},"
            + "\"timestamp\":\"t\"}");
    JsonNode e = carol.next("error");
    assertThat(e.get("payload").get("code").stringValue()).isEqualTo("UNAUTHORIZED");
    assertThat(e.get("payload").get("noteId").stringValue()).isEqualTo("n1");
    assertThat(http("alice-token-0123456789").get("/sync/notes/n1").status()).isEqualTo(404);
  }
}
