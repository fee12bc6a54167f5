package dev.patchbay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.patchbay.core.json.Json;
import dev.patchbay.server.auth.AuthConfig;
import dev.patchbay.server.spi.AuthResult;
import dev.patchbay.server.spi.Authenticator;
import dev.patchbay.server.spi.Authorizer;
import dev.patchbay.server.spi.DocAccess;
import dev.patchbay.server.spi.Identity;
import dev.patchbay.server.store.DocStores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * Authentication at the upgrade and per-document rights, over real sockets with the JDK WebSocket
 * client: each of the three token carriers, each kind of bad token, each key type.
 */
class AuthEndToEndTest {
  private static final byte[] SECRET =
      "a-test-secret-that-is-long-enough-for-hs256!".getBytes(StandardCharsets.UTF_8);
  private static final Map<String, Object> ALL_RIGHTS = Map.of("write", List.of("*"));

  @TempDir Path dir;
  private PatchbayServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** The three ways a client can carry its token, plus the two subprotocol spellings. */
  enum Carrier {
    QUERY,
    HEADER,
    SUBPROTOCOL_TOKEN,
    SUBPROTOCOL_BEARER;

    UnaryOperator<WebSocket.Builder> builder(String token) {
      return switch (this) {
        case QUERY, HEADER -> // the query is added to the URI
            this == HEADER ? b -> b.header("Authorization", "Bearer " + token) : b -> b;
        case SUBPROTOCOL_TOKEN -> b -> b.subprotocols("patches", "token-" + token);
        case SUBPROTOCOL_BEARER -> b -> b.subprotocols("bearer." + token);
      };
    }

    URI uri(URI base, String token) {
      return this == QUERY ? URI.create(base + "?token=" + token) : base;
    }
  }

  private URI startJwt(AuthConfig auth) {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").auth(auth).build(),
            DocStores.inMemory());
    return URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
  }

  private URI startHs256() throws Exception {
    Path secret = dir.resolve("secret");
    Files.write(secret, SECRET);
    return startJwt(AuthConfig.jwtSecret(secret));
  }

  private static String hs256(JWTClaimsSet claims) throws JOSEException {
    return sign(new MACSigner(SECRET), JWSAlgorithm.HS256, claims);
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims)
      throws JOSEException {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID("k1").build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  private static JWTClaimsSet.Builder claims(Duration expiresIn, Map<String, Object> rights) {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .expirationTime(new Date(System.currentTimeMillis() + expiresIn.toMillis()))
        .claim("patchbay", rights);
  }

  private static TestClient connect(URI base, Carrier carrier, String token) {
    return new TestClient(carrier.uri(base, token), carrier.builder(token));
  }

  /** Connects expecting a refused upgrade; returns its HTTP status. */
  private static int refusedStatus(URI uri, UnaryOperator<WebSocket.Builder> builder) {
    Throwable thrown = catchThrowable(() -> new TestClient(uri, builder).close());
    assertThat(thrown).isInstanceOf(CompletionException.class);
    assertThat(thrown.getCause()).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) thrown.getCause()).getResponse().statusCode();
  }

  private static JsonNode str(String s) {
    return Json.NODES.stringNode(s);
  }

  private static JsonNode change(String id) {
    return Json.parse(
        ("[{'id':'"
                + id
                + "','baseRev':0,'rev':1,'ops':[{'op':'add','path':'/a','value':1}],"
                + "'createdAt':"
                + System.currentTimeMillis()
                + ",'committedAt':0}]")
            .replace('\'', '"'));
  }

  @ParameterizedTest
  @EnumSource(Carrier.class)
  void validToken_eachCarrier_connectsAndCommits(Carrier carrier) throws Exception {
    URI uri = startHs256();
    String token = hs256(claims(Duration.ofMinutes(5), ALL_RIGHTS).build());
    try (TestClient c = connect(uri, carrier, token)) {
      assertThat(c.result("subscribe", Json.parse("[\"d1\"]"))).hasSize(1);
      assertThat(c.result("commitChanges", str("d1"), change("c1")).get("changes")).hasSize(1);
      switch (carrier) {
        case SUBPROTOCOL_TOKEN -> assertThat(c.subprotocol()).isEqualTo("token-" + token);
        case SUBPROTOCOL_BEARER -> assertThat(c.subprotocol()).isEqualTo("bearer." + token);
        default -> assertThat(c.subprotocol()).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Carrier.class)
  void expiredToken_eachCarrier_refused401(Carrier carrier) throws Exception {
    URI uri = startHs256();
    String token = hs256(claims(Duration.ofMinutes(-10), ALL_RIGHTS).build());
    assertThat(refusedStatus(carrier.uri(uri, token), carrier.builder(token))).isEqualTo(401);
  }

  @ParameterizedTest
  @EnumSource(Carrier.class)
  void wronglySignedToken_eachCarrier_refused401(Carrier carrier) throws Exception {
    URI uri = startHs256();
    byte[] other = "another-secret-that-is-also-long-enough-!!".getBytes(StandardCharsets.UTF_8);
    String token =
        sign(
            new MACSigner(other),
            JWSAlgorithm.HS256,
            claims(Duration.ofMinutes(5), ALL_RIGHTS).build());
    assertThat(refusedStatus(carrier.uri(uri, token), carrier.builder(token))).isEqualTo(401);
  }

  @ParameterizedTest
  @EnumSource(Carrier.class)
  void garbageToken_eachCarrier_refused401(Carrier carrier) throws Exception {
    URI uri = startHs256();
    String token = "not.a.jwt";
    assertThat(refusedStatus(carrier.uri(uri, token), carrier.builder(token))).isEqualTo(401);
  }

  @Test
  void missingToken_refused401WithReasonAndNoSecretInBody() throws Exception {
    URI uri = startHs256();
    assertThat(refusedStatus(uri, b -> b)).isEqualTo(401);
    assertThat(refusedStatus(uri, b -> b.subprotocols("patches"))).isEqualTo(401);
    HttpResponse<String> plain =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(uri.toString().replace("ws:", "http:")))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(401);
    assertThat(plain.body()).isEqualTo("missing token\n");
    assertThat(plain.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
  }

  @Test
  void tokenWithoutRights_refused403() throws Exception {
    URI uri = startHs256();
    String token = hs256(claims(Duration.ofMinutes(5), Map.of()).build());
    assertThat(refusedStatus(uri, Carrier.HEADER.builder(token))).isEqualTo(403);
  }

  @Test
  void rightsPerPattern_subscribeFiltersReadsAndWritesAnswer403() throws Exception {
    URI uri = startHs256();
    String token =
        hs256(
            claims(
                    Duration.ofMinutes(5),
                    Map.of("read", List.of("pub/*"), "write", List.of("users/alice/*")))
                .build());
    try (TestClient c = connect(uri, Carrier.HEADER, token)) {
      JsonNode granted =
          c.result("subscribe", Json.parse("[\"pub/a\",\"users/alice/n1\",\"users/bob/n1\"]"));
      assertThat(granted).isEqualTo(Json.parse("[\"pub/a\",\"users/alice/n1\"]"));

      assertThat(c.result("commitChanges", str("users/alice/n1"), change("c1")).get("changes"))
          .hasSize(1);
      JsonNode write = c.call("commitChanges", str("pub/a"), change("c2")).get("error");
      assertThat(write.get("code").asInt()).isEqualTo(403);
      assertThat(write.get("message").stringValue()).isEqualTo("WRITE_FORBIDDEN:pub/a");
      JsonNode delete = c.call("deleteDoc", str("users/bob/n1")).get("error");
      assertThat(delete.get("message").stringValue()).isEqualTo("WRITE_FORBIDDEN:users/bob/n1");

      assertThat(c.result("getDoc", str("pub/a")).get("rev").asLong()).isZero();
      JsonNode read = c.call("getDoc", str("users/bob/n1")).get("error");
      assertThat(read.get("code").asInt()).isEqualTo(403);
      assertThat(read.get("message").stringValue()).isEqualTo("READ_FORBIDDEN:users/bob/n1");
      JsonNode versions = c.call("listVersions", str("secret")).get("error");
      assertThat(versions.get("code").asInt()).isEqualTo(403);
    }
  }

  @Test
  void readOnlyToken_readsButEveryWriteIsForbidden() throws Exception {
    URI uri = startHs256();
    String writer = hs256(claims(Duration.ofMinutes(5), ALL_RIGHTS).build());
    String reader = hs256(claims(Duration.ofMinutes(5), Map.of("read", "*")).build());
    try (TestClient w = connect(uri, Carrier.QUERY, writer);
        TestClient r = connect(uri, Carrier.QUERY, reader)) {
      assertThat(r.result("subscribe", Json.parse("[\"d\"]"))).hasSize(1);
      w.result("commitChanges", str("d"), change("c1"));
      assertThat(r.nextNotification().get("method").stringValue()).isEqualTo("changesCommitted");
      assertThat(r.result("getDoc", str("d")).get("changes")).hasSize(1);
      for (String method : List.of("commitChanges", "deleteDoc", "createVersion")) {
        JsonNode error =
            method.equals("commitChanges")
                ? r.call(method, str("d"), change("c2")).get("error")
                : r.call(method, str("d")).get("error");
        assertThat(error.get("code").asInt()).as(method).isEqualTo(403);
        assertThat(error.get("message").stringValue()).isEqualTo("WRITE_FORBIDDEN:d");
      }
    }
  }

  @Test
  void tokenExpiresWhileConnected_closedWith4001() throws Exception {
    Path secret = dir.resolve("secret");
    Files.write(secret, SECRET);
    URI uri = startJwt(AuthConfig.jwtSecret(secret).withClockSkew(Duration.ZERO));
    // exp has whole-second precision: two seconds ahead is at least one second of validity.
    long exp = System.currentTimeMillis() / 1000 + 2;
    String token =
        hs256(
            new JWTClaimsSet.Builder()
                .expirationTime(new Date(exp * 1000))
                .claim("patchbay", ALL_RIGHTS)
                .build());
    try (TestClient c = connect(uri, Carrier.HEADER, token)) {
      assertThat(c.result("subscribe", Json.parse("[\"d\"]"))).hasSize(1);
      assertThat(c.closed.get(20, TimeUnit.SECONDS))
          .isEqualTo(Identity.CLOSE_TOKEN_EXPIRED + " token expired");
    }
  }

  @Test
  void issuerAudienceAndNotBefore_checked() throws Exception {
    Path secret = dir.resolve("secret");
    Files.write(secret, SECRET);
    URI uri = startJwt(AuthConfig.jwtSecret(secret).withIssuerAndAudience("https://id", "sync"));
    String good =
        hs256(
            claims(Duration.ofMinutes(5), ALL_RIGHTS)
                .issuer("https://id")
                .audience("sync")
                .build());
    try (TestClient c = connect(uri, Carrier.HEADER, good)) {
      assertThat(c.result("subscribe", Json.parse("[\"d\"]"))).hasSize(1);
    }
    String wrongIssuer =
        hs256(
            claims(Duration.ofMinutes(5), ALL_RIGHTS)
                .issuer("https://evil")
                .audience("sync")
                .build());
    String wrongAudience =
        hs256(
            claims(Duration.ofMinutes(5), ALL_RIGHTS)
                .issuer("https://id")
                .audience("other")
                .build());
    String notYet =
        hs256(
            claims(Duration.ofMinutes(30), ALL_RIGHTS)
                .issuer("https://id")
                .audience("sync")
                .notBeforeTime(new Date(System.currentTimeMillis() + 600_000))
                .build());
    for (String token : List.of(wrongIssuer, wrongAudience, notYet)) {
      assertThat(refusedStatus(uri, Carrier.HEADER.builder(token))).isEqualTo(401);
    }
  }

  @Test
  void rs256WithPemPublicKey_acceptsOwnSignatureOnly() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair pair = gen.generateKeyPair();
    KeyPair other = gen.generateKeyPair();
    Path pem = dir.resolve("key.pem");
    Files.writeString(
        pem,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    URI uri = startJwt(AuthConfig.jwtPublicKey(pem));
    JWTClaimsSet claims = claims(Duration.ofMinutes(5), ALL_RIGHTS).build();
    String good = sign(new RSASSASigner(pair.getPrivate()), JWSAlgorithm.RS256, claims);
    try (TestClient c = connect(uri, Carrier.SUBPROTOCOL_BEARER, good)) {
      assertThat(c.result("subscribe", Json.parse("[\"d\"]"))).hasSize(1);
    }
    String bad = sign(new RSASSASigner(other.getPrivate()), JWSAlgorithm.RS256, claims);
    assertThat(refusedStatus(uri, Carrier.SUBPROTOCOL_BEARER.builder(bad))).isEqualTo(401);
    // An HS256 token "signed" with the public key bytes must not pass (algorithm confusion).
    String confused =
        sign(new MACSigner(pair.getPublic().getEncoded()), JWSAlgorithm.HS256, claims);
    assertThat(refusedStatus(uri, Carrier.HEADER.builder(confused))).isEqualTo(401);
  }

  @Test
  void es256WithJwksFile_acceptsKnownKey() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = gen.generateKeyPair();
    ECKey jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).keyID("k1").build();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, new JWKSet(jwk).toString());
    URI uri = startJwt(AuthConfig.jwks(jwks));
    JWTClaimsSet claims = claims(Duration.ofMinutes(5), ALL_RIGHTS).build();
    String good =
        sign(new ECDSASigner((ECPrivateKey) pair.getPrivate()), JWSAlgorithm.ES256, claims);
    try (TestClient c = connect(uri, Carrier.QUERY, good)) {
      assertThat(c.result("subscribe", Json.parse("[\"d\"]"))).hasSize(1);
    }
    KeyPair stranger = gen.generateKeyPair();
    String bad =
        sign(new ECDSASigner((ECPrivateKey) stranger.getPrivate()), JWSAlgorithm.ES256, claims);
    assertThat(refusedStatus(URI.create(uri + "?token=" + bad), b -> b)).isEqualTo(401);
  }

  @Test
  void tokenFile_rightsPerLine() throws Exception {
    Path file = dir.resolve("tokens");
    Files.writeString(
        file,
        "# static tokens\n"
            + "writer-token-0123456789 write=docs/* sub=editor\n"
            + "\n"
            + "reader-token-0123456789 read=docs/*,pub/*\n");
    URI uri = startJwt(AuthConfig.tokens(file));
    try (TestClient w = connect(uri, Carrier.SUBPROTOCOL_TOKEN, "writer-token-0123456789");
        TestClient r = connect(uri, Carrier.HEADER, "reader-token-0123456789")) {
      assertThat(w.result("commitChanges", str("docs/1"), change("c1")).get("changes")).hasSize(1);
      assertThat(w.call("getDoc", str("pub/1")).get("error").get("code").asInt()).isEqualTo(403);
      assertThat(r.result("getDoc", str("docs/1")).get("changes")).hasSize(1);
      assertThat(
              r.call("commitChanges", str("docs/1"), change("c2"))
                  .get("error")
                  .get("message")
                  .stringValue())
          .isEqualTo("WRITE_FORBIDDEN:docs/1");
    }
    assertThat(refusedStatus(uri, Carrier.HEADER.builder("unknown-token-0123456789")))
        .isEqualTo(401);
  }

  @Test
  void statusPage_neverShowsTokens() throws Exception {
    URI uri = startHs256();
    String token = hs256(claims(Duration.ofMinutes(5), ALL_RIGHTS).build());
    try (TestClient c = connect(uri, Carrier.QUERY, token);
        TestClient d = connect(uri, Carrier.SUBPROTOCOL_TOKEN, token)) {
      c.result("subscribe", Json.parse("[\"d\"]"));
      d.result("subscribe", Json.parse("[\"d\"]"));
      String page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.address().getPort() + "/"))
                      .timeout(Duration.ofSeconds(20))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(page).contains("Connections").doesNotContain(token);
      for (String part : token.split("\\.")) {
        assertThat(page).doesNotContain(part);
      }
    }
  }

  @Test
  void noAuthConfigured_everyoneMayWrite() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), DocStores.inMemory());
    URI uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
    try (TestClient c = new TestClient(uri, b -> b.subprotocols("patches"))) {
      assertThat(c.subprotocol()).isEqualTo("patches");
      assertThat(c.result("commitChanges", str("any"), change("c1")).get("changes")).hasSize(1);
    }
  }

  @Test
  void embedderAuthenticatorAndAuthorizer_asyncDecisionAndCustomRules() {
    Authenticator custom =
        credentials ->
            CompletableFuture.supplyAsync(
                () ->
                    "let-me-in".equals(credentials.token())
                        ? AuthResult.accept(
                            new Identity("bot", Map.of("team", "a"), DocAccess.none(), null))
                        : AuthResult.forbidden("not on the list"));
    Authorizer teamDocs =
        new Authorizer() {
          @Override
          public boolean canRead(Identity identity, String docId) {
            return docId.startsWith(identity.claims().get("team") + "/");
          }

          @Override
          public boolean canWrite(Identity identity, String docId) {
            return canRead(identity, docId) && !docId.endsWith("/frozen");
          }
        };
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(),
            DocStores.inMemory(),
            custom,
            teamDocs);
    URI uri = URI.create("ws://127.0.0.1:" + server.address().getPort() + "/ws");
    try (TestClient c = connect(uri, Carrier.HEADER, "let-me-in")) {
      assertThat(c.result("subscribe", Json.parse("[\"a/1\",\"b/1\"]")))
          .isEqualTo(Json.parse("[\"a/1\"]"));
      assertThat(c.result("commitChanges", str("a/1"), change("c1")).get("changes")).hasSize(1);
      assertThat(
              c.call("commitChanges", str("a/frozen"), change("c2"))
                  .get("error")
                  .get("message")
                  .stringValue())
          .isEqualTo("WRITE_FORBIDDEN:a/frozen");
    }
    assertThat(refusedStatus(uri, Carrier.HEADER.builder("guess"))).isEqualTo(403);
  }
}
