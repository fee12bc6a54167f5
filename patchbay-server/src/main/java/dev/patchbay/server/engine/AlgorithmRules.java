package dev.patchbay.server.engine;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Chooses each document's algorithm from its id: ids matching one of the last-write-wins patterns
 * are LWW documents, every other id is an OT document. A pattern is a glob where {@code *} matches
 * any run of characters (including {@code /}), for example {@code settings/*}.
 */
final class AlgorithmRules {
  /** The two document algorithms. */
  enum Algorithm {
    OT,
    LWW
  }

  private final List<Pattern> lww;

  AlgorithmRules(List<String> lwwPatterns) {
    this.lww = lwwPatterns.stream().map(AlgorithmRules::compile).toList();
  }

  Algorithm algorithmOf(String docId) {
    for (Pattern p : lww) {
      if (p.matcher(docId).matches()) {
        return Algorithm.LWW;
      }
    }
    return Algorithm.OT;
  }

  private static Pattern compile(String glob) {
    List<String> parts = List.of(glob.split("\\*", -1));
    return Pattern.compile(
        String.join(".*", parts.stream().map(Pattern::quote).toList()), Pattern.DOTALL);
  }
}
