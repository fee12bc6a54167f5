package dev.patchbay.server.collections;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.server.PatchbayServer;
import dev.patchbay.server.ServerConfig;
import dev.patchbay.server.store.DocStores;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The Paperlyte notes dialect on {@code /notes/ws} over real sockets, and its bridge to the
 * SyncLayer envelope and HTTP routes through the {@code notes} collection.
 */
class NotesWebSocketTest {
  private static final String TS = "\"timestamp\":\"2025-01-17T14:27:39.502Z\"";

  private PatchbayServer server;
  private SyncHttp http;
  private final List<WsClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    server =
        PatchbayServer.start(
            ServerConfig.builder().port(0).store("memory").build(), DocStores.inMemory());
    http = new SyncHttp("http://127.0.0.1:" + server.address().getPort(), null);
  }

  @AfterEach
  void stop() {
    clients.forEach(WsClient::close);
    server.close();
  }

  private WsClient notes() {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/notes/ws");
    clients.add(c);
    JsonNode first = c.next("sync_required");
    assertThat(first.get("payload").get("reason").stringValue()).isEqualTo("connected");
    return c;
  }

  private WsClient syncLayer() {
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/sync/ws");
    clients.add(c);
    c.send("{\"type\":\"subscribe\",\"collection\":\"notes\"}");
    c.next("subscribed");
    return c;
  }

  private static String noteUpdate(String id, String title, String updatedAt) {
    return "{\"type\":\"note_update\",\"payload\":{\"note\":{\"id\":\""
        + id
        + "\",\"title\":\""
        + title
        + "\",\"content\":\"c\",\"tags\":[\"t\"],\"createdAt\":\"2025-01-17T14:00:00Z\","
        + "\"updatedAt\":\""
        + updatedAt
        + "\",\"syncStatus\":\"pending\",\"localVersion\":4},\"userId\":\"user-123\"},"
        + TS
        + "}";
  }

  @Test
  void connect_sendsSyncRequiredWithTheCursor() {
    http.post("/sync/notes", "{\"recordId\":\"n1\",\"data\":{\"title\":\"x\"}}");
    WsClient c = WsClient.connect("ws://127.0.0.1:" + server.address().getPort() + "/notes/ws");
    clients.add(c);
    JsonNode m = c.next("sync_required");
    assertThat(m.get("payload").get("cursor").longValue()).isEqualTo(1);
    assertThat(m.get("timestamp").stringValue()).endsWith("Z");
  }

  @Test
  void ping_answersPongEnvelope() {
    WsClient c = notes();
    c.send("{\"type\":\"ping\",\"payload\":{\"timestamp\":1737124059502}," + TS + "}");
    JsonNode pong = c.next("pong");
    assertThat(pong.get("payload").isObject()).isTrue();
    assertThat(pong.get("timestamp").stringValue()).isNotEmpty();
  }

  @Test
  void noteUpdate_reachesNotesPeersAndSyncLayerSubscribers_notTheSender() {
    WsClient sender = notes();
    WsClient peer = notes();
    WsClient envelope = syncLayer();
    sender.send(noteUpdate("note-1", "Hello", "2025-01-17T14:27:39.502Z"));
    JsonNode updated = peer.next("note_updated");
    JsonNode note = updated.get("payload").get("note");
    assertThat(note.get("id").stringValue()).isEqualTo("note-1");
    assertThat(note.get("title").stringValue()).isEqualTo("Hello");
    assertThat(note.get("version").longValue()).isEqualTo(1);
    assertThat(note.has("syncStatus")).isFalse();
    assertThat(note.has("localVersion")).isFalse();
    assertThat(updated.get("payload").get("userId").stringValue()).isEqualTo("anonymous");
    JsonNode insert = envelope.next("insert");
    assertThat(insert.get("recordId").stringValue()).isEqualTo("note-1");
    assertThat(insert.get("data").get("title").stringValue()).isEqualTo("Hello");
    assertThat(insert.get("timestamp").stringValue()).isEqualTo("2025-01-17T14:27:39.502Z");
    sender.send("{\"type\":\"ping\",\"payload\":{}," + TS + "}");
    sender.next("pong");
    JsonNode stored = http.get("/sync/notes/note-1").body();
    assertThat(stored.get("data").get("content").stringValue()).isEqualTo("c");
  }

  @Test
  void syncLayerAndHttpWrites_reachNotesClients() {
    WsClient reader = notes();
    WsClient envelope = syncLayer();
    envelope.send(
        "{\"type\":\"insert\",\"collection\":\"notes\",\"recordId\":\"n2\","
            + "\"data\":{\"title\":\"from SyncLayer\",\"content\":\"\"}}");
    JsonNode m = reader.next("note_updated");
    assertThat(m.get("payload").get("note").get("id").stringValue()).isEqualTo("n2");
    assertThat(m.get("payload").get("note").get("title").stringValue()).isEqualTo("from SyncLayer");
    assertThat(m.get("payload").get("note").get("updatedAt").stringValue()).endsWith("Z");
    http.post("/sync/notes", "{\"recordId\":\"n3\",\"data\":{\"title\":\"from HTTP\"}}");
    assertThat(reader.next("note_updated").get("payload").get("note").get("id").stringValue())
        .isEqualTo("n3");
    envelope.send("{\"type\":\"delete\",\"collection\":\"notes\",\"recordId\":\"n2\"}");
    assertThat(reader.next("note_deleted").get("payload").get("noteId").stringValue())
        .isEqualTo("n2");
  }

  @Test
  void noteDelete_reachesBothDialects_unknownNoteAnswersRecordNotFound() {
    WsClient sender = notes();
    WsClient peer = notes();
    WsClient envelope = syncLayer();
    sender.send(noteUpdate("n1", "x", "2025-01-17T14:27:39.502Z"));
    peer.next("note_updated");
    envelope.next("insert");
    sender.send("{\"type\":\"note_delete\",\"payload\":{\"noteId\":\"n1\"}," + TS + "}");
    assertThat(peer.next("note_deleted").get("payload").get("noteId").stringValue())
        .isEqualTo("n1");
    assertThat(envelope.next("delete").get("recordId").stringValue()).isEqualTo("n1");
    sender.send("{\"type\":\"note_delete\",\"payload\":{\"noteId\":\"never\"}," + TS + "}");
    JsonNode e = sender.next("error");
    assertThat(e.get("payload").get("code").stringValue()).isEqualTo("RECORD_NOT_FOUND");
    assertThat(e.get("payload").get("noteId").stringValue()).isEqualTo("never");
  }

  @Test
  void olderNoteUpdate_losesUnderLww_senderGetsStoredNoteMarkedConflict() {
    WsClient sender = notes();
    http.post(
        "/sync/notes",
        "{\"recordId\":\"n1\",\"data\":{\"title\":\"Remote Version\"},"
            + "\"timestamp\":\"2025-01-01T11:30:00Z\"}");
    sender.next("note_updated");
    sender.send(noteUpdate("n1", "Older", "2025-01-01T11:00:00Z"));
    JsonNode back = sender.next("note_updated");
    assertThat(back.get("payload").get("conflict").booleanValue()).isTrue();
    assertThat(back.get("payload").get("note").get("title").stringValue())
        .isEqualTo("Remote Version");
  }

  @Test
  void resume_behind_sendsSyncRequired_atHead_sendsNothing() {
    WsClient c = notes();
    http.post("/sync/notes", "{\"recordId\":\"n1\",\"data\":{}}");
    c.next("note_updated");
    c.send("{\"type\":\"resume\",\"payload\":{\"cursor\":0}," + TS + "}");
    JsonNode behind = c.next("sync_required");
    assertThat(behind.get("payload").get("reason").stringValue()).isEqualTo("behind");
    assertThat(behind.get("payload").get("cursor").longValue()).isEqualTo(1);
    c.send("{\"type\":\"resume\",\"payload\":{\"cursor\":9}," + TS + "}");
    assertThat(c.next("sync_required").get("payload").get("reason").stringValue())
        .isEqualTo("cursor_unknown");
    c.send("{\"type\":\"resume\",\"payload\":{\"cursor\":1}," + TS + "}");
    c.send("{\"type\":\"ping\",\"payload\":{}," + TS + "}");
    c.next("pong");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{not json",
        "\"text\"",
        "{\"payload\":{},\"timestamp\":\"t\"}",
        "{\"type\":\"\",\"payload\":{},\"timestamp\":\"t\"}",
        "{\"type\":\"ping\",\"payload\":{}}",
        "{\"type\":\"ping\",\"payload\":{},\"timestamp\":\"\"}",
        "{\"type\":\"ping\",\"timestamp\":\"t\"}",
        "{\"type\":\"ping\",\"payload\":null,\"timestamp\":\"t\"}",
        "{\"type\":\"ping\",\"payload\":[1],\"timestamp\":\"t\"}",
        "{\"type\":\"note_update\",\"payload\":{},\"timestamp\":\"t\"}",
        "{\"type\":\"note_update\",\"payload\":{\"note\":\"n\"},\"timestamp\":\"t\"}",
        "{\"type\":\"note_update\",\"payload\":{\"note\":{\"title\":\"x\"}},\"timestamp\":\"t\"}",
        "{\"type\":\"note_update\",\"payload\":{\"note\":{\"id\":5}},\"timestamp\":\"t\"}",
        "{\"type\":\"note_update\",\"payload\":{\"note\":{\"id\":\"n1\",\"updatedAt\":\"soon\"}},"
            + "\"timestamp\":\"t\"}",
        "{\"type\":\"note_delete\",\"payload\":{},\"timestamp\":\"t\"}",
        "{\"type\":\"note_delete\",\"payload\":{\"noteId\":\"\"},\"timestamp\":\"t\"}",
        "{\"type\":\"note_updated\",\"payload\":{\"note\":{\"id\":\"n1\"}},\"timestamp\":\"t\"}",
        "{\"type\":\"resume\",\"payload\":{\"cursor\":\"x\"},\"timestamp\":\"t\"}",
      })
  void badInput_answersInvalidMessageAndChangesNothing(String text) {
    http.post("/sync/notes", "{\"recordId\":\"n1\",\"data\":{\"title\":\"keep\"}}");
    WsClient c = notes();
    c.send(text);
    JsonNode e = c.next("error");
    assertThat(e.get("payload").get("code").stringValue()).isEqualTo("INVALID_MESSAGE");
    assertThat(e.get("payload").get("message").stringValue()).isNotEmpty();
    assertThat(e.get("timestamp").stringValue()).isNotEmpty();
    JsonNode stored = http.get("/sync/notes/n1").body();
    assertThat(stored.get("version").longValue()).isEqualTo(1);
    assertThat(stored.get("data").get("title").stringValue()).isEqualTo("keep");
  }
}
