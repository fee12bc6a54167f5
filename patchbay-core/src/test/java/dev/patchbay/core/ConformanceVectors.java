package dev.patchbay.core;

import dev.patchbay.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import tools.jackson.databind.JsonNode;

/**
 * Loads the golden vectors recorded from the Patches reference implementation ({@code
 * shared/conformance/patches-vectors.jsonl.gz}) and the RFC 6902 suites beside them.
 *
 * <p>The shared folder is found through the {@code patchbay.shared} system property (set by the
 * build) or by walking up from the working directory to a sibling {@code shared/conformance}.
 */
public final class ConformanceVectors {
  /** One recorded vector. {@code error} is set when the reference threw. */
  public record Vector(
      int line,
      String kind,
      String file,
      String test,
      JsonNode input,
      JsonNode result,
      @Nullable String error) {

    /**
     * The display name: kind, upstream spec file and test name, and the line in the vector file.
     */
    public String displayName() {
      String spec = file.substring(file.lastIndexOf('/') + 1);
      return kind + " | " + spec + " > " + test + " (#" + line + ")";
    }
  }

  private static @Nullable Map<String, List<Vector>> byKind;

  private ConformanceVectors() {}

  /** Returns the vectors of one kind, in file order. */
  public static synchronized List<Vector> ofKind(String kind) {
    if (byKind == null) {
      byKind = load().stream().collect(Collectors.groupingBy(Vector::kind));
    }
    return byKind.getOrDefault(kind, List.of());
  }

  /** Returns the vectors of one kind as named JUnit arguments, for a parameterized test. */
  public static List<Arguments> argumentsOfKind(String kind) {
    List<Arguments> out = new ArrayList<>();
    for (Vector v : ofKind(kind)) {
      out.add(Arguments.of(Named.of(v.displayName(), v)));
    }
    return out;
  }

  /** Returns the path of a file in {@code shared/conformance}. */
  public static Path conformanceFile(String name) {
    return conformanceDir().resolve(name);
  }

  /** Reads a JSON file from {@code shared/conformance}. */
  public static JsonNode readJson(String name) {
    try {
      return Json.parse(Files.readString(conformanceFile(name)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Vector> load() {
    Path file = conformanceFile("patches-vectors.jsonl.gz");
    List<Vector> vectors = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = reader.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode v = Json.parse(line);
        JsonNode error = v.get("error");
        vectors.add(
            new Vector(
                n,
                v.get("kind").stringValue(),
                v.get("file").stringValue(),
                v.get("test").stringValue(),
                v.get("input"),
                v.get("result"),
                error == null || error.isNull() ? null : error.asString()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
    return vectors;
  }

  private static Path conformanceDir() {
    String prop = System.getProperty("patchbay.shared");
    if (prop != null && Files.isDirectory(Paths.get(prop, "conformance"))) {
      return Paths.get(prop, "conformance");
    }
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolveSibling("shared").resolve("conformance");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "shared/conformance not found: set -Dpatchbay.shared or keep shared/ beside the project");
  }
}
