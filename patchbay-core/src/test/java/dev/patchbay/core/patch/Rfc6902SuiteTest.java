package dev.patchbay.core.patch;

import static dev.patchbay.core.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.patchbay.core.ConformanceVectors;
import dev.patchbay.core.PatchbayException;
import dev.patchbay.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The RFC 6902 test suite ({@code json-patch-tests.json} and {@code json-patch-spec-tests.json})
 * against {@link ApplyOptions#rfc6902()}, and the list of cases where Patches mode answers
 * differently, which {@code docs/json-patch.md} must state exactly.
 */
class Rfc6902SuiteTest {
  private static final List<String> SUITES =
      List.of("json-patch-tests.json", "json-patch-spec-tests.json");
  // A row of the difference tables in docs/json-patch.md: | `strict` | `json-patch-tests.json #62`
  // |
  private static final Pattern DOC_ROW =
      Pattern.compile(
          "^\\| `(strict|default)` \\| `(json-patch-(?:spec-)?tests\\.json #\\d+)`",
          Pattern.MULTILINE);

  /** One enabled case of a suite: its file, position and JSON. */
  record Case(String suite, int index, JsonNode json) {
    String id() {
      return suite + " #" + index;
    }

    @Nullable JsonNode doc() {
      return json.get("doc");
    }

    boolean expectsError() {
      return json.has("error");
    }

    @Override
    public String toString() {
      JsonNode comment = json.get("comment");
      JsonNode error = json.get("error");
      String about = comment != null ? comment.asString() : error != null ? error.asString() : "";
      return id() + (about.isEmpty() ? "" : " " + about);
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (String suite : SUITES) {
      JsonNode all = ConformanceVectors.readJson(suite);
      for (int i = 0; i < all.size(); i++) {
        JsonNode c = all.get(i);
        JsonNode disabled = c.get("disabled");
        if (disabled == null || !disabled.asBoolean()) {
          cases.add(new Case(suite, i, c));
        }
      }
    }
    return cases;
  }

  static List<Arguments> arguments() {
    List<Arguments> out = new ArrayList<>();
    for (Case c : cases()) {
      out.add(Arguments.of(Named.of(c.toString(), c)));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("arguments")
  void apply_rfc6902Mode_passesSuiteCase(Case c) {
    JsonNode doc = c.doc();
    JsonNode snapshot = doc == null ? null : doc.deepCopy();
    if (c.expectsError()) {
      assertThrows(PatchbayException.class, () -> run(c, ApplyOptions.rfc6902()));
    } else {
      JsonNode result = run(c, ApplyOptions.rfc6902());
      JsonNode expected = c.json().get("expected");
      assertJsonEquals(expected != null ? expected : doc, result);
    }
    assertJsonEquals(snapshot, doc);
  }

  @Test
  void suites_patchesModes_differExactlyWhereTheDocsSay() throws IOException {
    Set<String> differing = new LinkedHashSet<>();
    for (Case c : cases()) {
      if (differsInPatchesMode(c, ApplyOptions.STRICT)) {
        differing.add("strict " + c.id());
      }
      if (differsInPatchesMode(c, ApplyOptions.DEFAULT)) {
        differing.add("default " + c.id());
      }
    }
    assertThat(differing).isNotEmpty();
    assertThat(documentedDifferences()).containsExactlyInAnyOrderElementsOf(differing);
  }

  @Test
  void suites_enabledCases_areAllRun() {
    assertThat(cases()).hasSize(78 - 3 + 17 - 1);
  }

  /** Whether a Patches mode gives another outcome (document, or error) than RFC 6902. */
  static boolean differsInPatchesMode(Case c, ApplyOptions mode) {
    JsonNode expected = c.json().get("expected");
    JsonNode rfcOutcome = c.expectsError() ? null : expected != null ? expected : c.doc();
    JsonNode patchesOutcome;
    try {
      patchesOutcome = run(c, mode);
    } catch (PatchbayException e) {
      patchesOutcome = null;
    }
    if (rfcOutcome == null || patchesOutcome == null) {
      return rfcOutcome != patchesOutcome;
    }
    return !Json.equal(rfcOutcome, patchesOutcome);
  }

  private static @Nullable JsonNode run(Case c, ApplyOptions options) {
    List<PatchOp> ops = PatchOp.listFromJson(c.json().get("patch"));
    return JsonPatch.apply(c.doc(), ops, options);
  }

  private static Set<String> documentedDifferences() throws IOException {
    Path doc = docsFile();
    Set<String> rows = new LinkedHashSet<>();
    Matcher m = DOC_ROW.matcher(Files.readString(doc));
    while (m.find()) {
      rows.add(m.group(1) + " " + m.group(2));
    }
    return rows;
  }

  private static Path docsFile() {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs").resolve("json-patch.md");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/json-patch.md not found above the working directory");
  }
}
