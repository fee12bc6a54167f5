package dev.patchbay.server.collections;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which {@link ConflictRule} each collection uses, from settings shaped {@code <pattern>=<rule>}
 * where {@code *} in the pattern matches any run of characters. The first matching setting wins; a
 * collection no setting matches uses {@link ConflictRule#LWW}. Instances are immutable.
 */
public final class CollectionRules {
  private record Entry(Pattern pattern, ConflictRule rule) {}

  private final List<Entry> entries;

  private CollectionRules(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses settings such as {@code todos=lww} or {@code inventory-*=reject}.
   *
   * @throws IllegalArgumentException naming the malformed setting
   */
  public static CollectionRules parse(List<String> settings) {
    List<Entry> entries = new ArrayList<>();
    for (String setting : settings) {
      int eq = setting.lastIndexOf('=');
      if (eq <= 0 || eq == setting.length() - 1) {
        throw new IllegalArgumentException(
            "a collection rule is <pattern>=<rule>, e.g. todos=lww, was '" + setting + "'");
      }
      String glob = setting.substring(0, eq).strip();
      if (glob.isEmpty()) {
        throw new IllegalArgumentException("a collection rule's pattern must not be empty");
      }
      entries.add(new Entry(toRegex(glob), ConflictRule.parse(setting.substring(eq + 1))));
    }
    return new CollectionRules(entries);
  }

  /** Returns the rule of {@code collection}. */
  public ConflictRule ruleFor(String collection) {
    for (Entry e : entries) {
      if (e.pattern.matcher(collection).matches()) {
        return e.rule;
      }
    }
    return ConflictRule.LWW;
  }

  private static Pattern toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    int start = 0;
    for (int i = 0; i < glob.length(); i++) {
      if (glob.charAt(i) == '*') {
        regex.append(Pattern.quote(glob.substring(start, i))).append(".*");
        start = i + 1;
      }
    }
    regex.append(Pattern.quote(glob.substring(start)));
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
