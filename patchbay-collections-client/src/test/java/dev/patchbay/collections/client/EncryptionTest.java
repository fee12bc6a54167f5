package dev.patchbay.collections.client;

import static dev.patchbay.collections.client.LocalCollectionTest.doc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest: AES-256-GCM of records, outbox payloads and conflicts. */
class EncryptionTest {
  @TempDir Path tmp;
  private static final byte[] KEY = filled(7);
  private static final String SECRET = "very-secret-marker-4711";

  private static byte[] filled(int b) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) b);
    return k;
  }

  private CollectionsClient open(String url, byte[] key) {
    CollectionsClient.Builder b =
        CollectionsClient.builder()
            .baseUrl(url)
            .dataDirectory(tmp.resolve("device"))
            .collections("notes")
            .autoSync(false);
    if (key != null) {
      b.encryptionKey(key);
    }
    return b.build();
  }

  private boolean filesContain(String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.list(tmp.resolve("device"))) {
      for (Path f : files.toList()) {
        byte[] all = Files.readAllBytes(f);
        for (int i = 0; i + needle.length <= all.length; i++) {
          if (Arrays.equals(all, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  @Test
  void encryptedStore_holdsNoPlaintext_andReadsBackWithTheKey() throws IOException {
    String url = LocalCollectionTest.closedPortUrl();
    try (CollectionsClient c = open(url, KEY)) {
      c.collection("notes").save(doc("{'body':'" + SECRET + "'}"), "n1");
      c.collection("notes").update("n1", doc("{'extra':'" + SECRET + "-2'}"));
    }
    assertThat(filesContain(SECRET)).isFalse();
    assertThat(filesContain("n1")).isTrue(); // ids stay readable, as documented
    try (CollectionsClient c = open(url, KEY)) {
      assertThat(c.collection("notes").get("n1").get("body").stringValue()).isEqualTo(SECRET);
      assertThat(c.pendingCount()).isEqualTo(2);
    }
  }

  @Test
  void plainStore_holdsPlaintext_soTheCheckAboveCanFail() throws IOException {
    try (CollectionsClient c = open(LocalCollectionTest.closedPortUrl(), null)) {
      c.collection("notes").save(doc("{'body':'" + SECRET + "'}"), "n1");
    }
    assertThat(filesContain(SECRET)).isTrue();
  }

  @Test
  void wrongKeyOrNoKey_failsWithEncryptionException() throws IOException {
    String url = LocalCollectionTest.closedPortUrl();
    try (CollectionsClient c = open(url, KEY)) {
      c.collection("notes").save(doc("{'body':'x'}"), "n1");
    }
    try (CollectionsClient c = open(url, filled(8))) {
      assertThatThrownBy(() -> c.collection("notes").get("n1"))
          .isInstanceOf(EncryptionException.class)
          .hasMessageContaining("wrong key");
    }
    try (CollectionsClient c = open(url, null)) {
      assertThatThrownBy(() -> c.collection("notes").getAll())
          .isInstanceOf(EncryptionException.class)
          .hasMessageContaining("encrypted");
    }
  }

  @Test
  void seal_randomIv_boundToItsRow_tamperDetected() {
    AtRest crypto = AtRest.aesGcm(KEY);
    String a = crypto.seal("{\"a\":1}", "records\u0000c\u00001");
    String b = crypto.seal("{\"a\":1}", "records\u0000c\u00001");
    assertThat(a).isNotEqualTo(b).startsWith("e1:");
    assertThat(crypto.open(a, "records\u0000c\u00001")).isEqualTo("{\"a\":1}");
    assertThatThrownBy(() -> crypto.open(a, "records\u0000c\u00002"))
        .isInstanceOf(EncryptionException.class);
    char[] chars = a.toCharArray();
    chars[10] = chars[10] == 'A' ? 'B' : 'A';
    assertThatThrownBy(() -> crypto.open(new String(chars), "records\u0000c\u00001"))
        .isInstanceOf(EncryptionException.class);
    assertThat(crypto.toString()).doesNotContain("7");
  }

  @Test
  void keyOfTheWrongSize_isRejected() {
    assertThatThrownBy(
            () ->
                CollectionsClient.builder()
                    .baseUrl("http://127.0.0.1:1")
                    .dataDirectory(tmp)
                    .collections("notes")
                    .encryptionKey(new byte[16])
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }

  @Test
  void encryptedDevice_syncsPlainJsonWithTheServer() throws IOException {
    PatchbayServer server =
        PatchbayServer.start(ServerConfig.builder().port(0).build(), DocStores.inMemory());
    try {
      String url = "http://127.0.0.1:" + server.address().getPort();
      try (CollectionsClient c = open(url, KEY)) {
        c.collection("notes").save(doc("{'body':'" + SECRET + "'}"), "n1");
        c.syncNow().join();
      }
      try (CollectionsClient other =
          CollectionsClient.builder()
              .baseUrl(url)
              .dataDirectory(tmp.resolve("other"))
              .collections("notes")
              .autoSync(false)
              .build()) {
        other.syncNow().join();
        assertThat(Json.write(other.collection("notes").get("n1")))
            .isEqualTo("{\"body\":\"" + SECRET + "\"}");
        assertThat(List.of(other.pendingCount())).containsExactly(0);
      }
    } finally {
      server.close();
    }
  }
}
