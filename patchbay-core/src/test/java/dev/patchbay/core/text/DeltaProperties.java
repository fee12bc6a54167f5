package dev.patchbay.core.text;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * The algebra the OT layer relies on, over random documents and random changes valid against them:
 * compose is associative, transform converges (TP1), and invert undoes a change.
 */
class DeltaProperties {

  /** A document and three changes, each valid against the document after the previous ones. */
  record Chain(Delta doc, Delta a, Delta b, Delta c) {}

  /** A document and two concurrent changes made against it. */
  record Concurrent(Delta doc, Delta a, Delta b) {}

  /** One random step of a change: 0 insert text, 1 insert embed, 2 retain, 3 delete. */
  record Step(
      int kind,
      int length,
      String text,
      @Nullable ObjectNode insertAttributes,
      @Nullable ObjectNode retainAttributes) {}

  @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
  void compose_isAssociative(@ForAll("chains") Chain chain) {
    Delta a = chain.a();
    Delta b = chain.b();
    Delta c = chain.c();
    assertThat(a.compose(b).compose(c)).isEqualTo(a.compose(b.compose(c)));
    Delta doc = chain.doc();
    assertThat(doc.compose(a).compose(b)).isEqualTo(doc.compose(a.compose(b)));
  }

  @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
  void transform_convergesOnTheDocument(@ForAll("concurrent") Concurrent edit) {
    Delta a = edit.a();
    Delta b = edit.b();
    Delta viaA = edit.doc().compose(a).compose(a.transform(b, true));
    Delta viaB = edit.doc().compose(b).compose(b.transform(a, false));
    assertThat(viaA).isEqualTo(viaB);
  }

  @Property(tries = 1000, edgeCases = EdgeCasesMode.MIXIN)
  void invert_undoesTheChange(@ForAll("concurrent") Concurrent edit) {
    Delta doc = edit.doc();
    Delta change = edit.a();
    Delta inverse = change.invert(doc);
    assertThat(doc.compose(change).compose(inverse)).isEqualTo(doc);
  }

  // Changes are drawn as step lists and fitted to the document they apply to when built, which is
  // much cheaper for jqwik than a chain of dependent generators.
  @Provide
  Arbitrary<Chain> chains() {
    return Combinators.combine(documents(), steps(), steps(), steps())
        .as(
            (doc, stepsA, stepsB, stepsC) -> {
              Delta a = change(stepsA, doc.length());
              Delta afterA = doc.compose(a);
              Delta b = change(stepsB, afterA.length());
              Delta c = change(stepsC, afterA.compose(b).length());
              return new Chain(doc, a, b, c);
            });
  }

  @Provide
  Arbitrary<Concurrent> concurrent() {
    return Combinators.combine(documents(), steps(), steps())
        .as(
            (doc, stepsA, stepsB) ->
                new Concurrent(doc, change(stepsA, doc.length()), change(stepsB, doc.length())));
  }

  private static final List<ObjectNode> INSERT_ATTRIBUTES =
      List.of(
          attrs("{\"bold\":true}"),
          attrs("{\"italic\":true}"),
          attrs("{\"bold\":true,\"color\":\"red\"}"),
          attrs("{\"color\":\"blue\"}"),
          attrs("{\"link\":{\"href\":\"x\"}}"));

  private static final List<ObjectNode> RETAIN_ATTRIBUTES =
      List.of(
          attrs("{\"bold\":true}"),
          attrs("{\"bold\":null}"),
          attrs("{\"color\":\"red\",\"italic\":null}"),
          attrs("{\"color\":null}"),
          attrs("{\"italic\":true,\"link\":{\"href\":\"y\"}}"));

  private static ObjectNode attrs(String json) {
    return (ObjectNode) Json.parse(json);
  }

  private static Arbitrary<String> texts() {
    return Arbitraries.strings().withChars("ab\n\u00e9").ofMinLength(1).ofMaxLength(4);
  }

  // Absent about half the time.
  private static Arbitrary<@Nullable ObjectNode> someOf(List<ObjectNode> choices) {
    return Arbitraries.of(choices).injectNull(0.5);
  }

  private static Arbitrary<Delta> documents() {
    Arbitrary<Step> piece =
        Combinators.combine(
                Arbitraries.integers().between(0, 9), texts(), someOf(INSERT_ATTRIBUTES))
            .as((k, text, attributes) -> new Step(k == 0 ? 1 : 0, 0, text, attributes, null));
    return piece
        .list()
        .ofMaxSize(8)
        .map(
            pieces -> {
              Delta.Builder doc = Delta.builder();
              for (Step p : pieces) {
                if (p.kind() == 1) {
                  doc.insertEmbed(
                      attrs("{\"image\":\"" + p.text().length() + "\"}"), p.insertAttributes());
                } else {
                  doc.insert(p.text(), p.insertAttributes());
                }
              }
              return doc.build();
            });
  }

  private static Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(1, 6),
                texts(),
                someOf(INSERT_ATTRIBUTES),
                someOf(RETAIN_ATTRIBUTES))
            .as(
                (k, length, text, insertAttributes, retainAttributes) ->
                    new Step(
                        k < 3 ? 0 : k == 3 ? 1 : k < 7 ? 2 : 3,
                        length,
                        text,
                        insertAttributes,
                        retainAttributes));
    return step.list().ofMaxSize(8);
  }

  // Retains and deletes never reach past the document: the change is valid against it.
  private static Delta change(List<Step> steps, int documentLength) {
    Delta.Builder change = Delta.builder();
    int remaining = documentLength;
    for (Step s : steps) {
      switch (s.kind()) {
        case 0 -> change.insert(s.text(), s.insertAttributes());
        case 1 -> change.insertEmbed(attrs("{\"image\":\"e\"}"), s.insertAttributes());
        case 2 -> {
          int n = Math.min(s.length(), remaining);
          change.retain(n, s.retainAttributes());
          remaining -= n;
        }
        default -> {
          int n = Math.min(s.length(), remaining);
          change.delete(n);
          remaining -= n;
        }
      }
    }
    return change.build();
  }
}
