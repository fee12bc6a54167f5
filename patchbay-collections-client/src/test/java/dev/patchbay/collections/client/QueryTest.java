package dev.patchbay.collections.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchbay.core.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** A1's query rules: every operator, types, missing fields, null arguments, sorts, paging. */
class QueryTest {
  private static ObjectNode doc(String json) {
    return (ObjectNode) Json.parse(json.replace('\'', '"'));
  }

  private static final List<ObjectNode> DOCS =
      List.of(
          doc("{'n':'a','age':30,'name':'Alice','tags':['x','y'],'user':{'name':'Ann'},'ok':true}"),
          doc("{'n':'b','age':25,'name':'Bob','tags':['y'],'user':{'name':'Ben'},'ok':false}"),
          doc("{'n':'c','age':35.5,'name':'carol','tags':'x','ok':true}"),
          doc("{'n':'d','age':null,'name':'Dave','user':{'name':null}}"),
          doc("{'n':'e','name':42}"));

  private static Query q() {
    return new Query(() -> DOCS);
  }

  private static List<String> names(List<ObjectNode> docs) {
    List<String> out = new ArrayList<>();
    docs.forEach(d -> out.add(d.get("n").stringValue()));
    return out;
  }

  private static List<String> run(Query query) {
    return names(query.get());
  }

  @Test
  void equalTo_numbersByValue_matchesIntegralAndDecimal() {
    assertThat(run(q().where("age", Operator.EQUAL_TO, 30))).containsExactly("a");
    assertThat(run(q().where("age", Operator.EQUAL_TO, 30.0))).containsExactly("a");
    assertThat(run(q().where("age", Operator.EQUAL_TO, "30"))).isEmpty();
  }

  @Test
  void equalTo_nullArgument_isIgnored() {
    assertThat(run(q().where("age", Operator.EQUAL_TO, null))).hasSize(5);
  }

  @Test
  void equalTo_nestedPathAndStructuredValue_matchDeeply() {
    assertThat(run(q().where("user.name", Operator.EQUAL_TO, "Ben"))).containsExactly("b");
    assertThat(run(q().where("tags", Operator.EQUAL_TO, List.of("x", "y")))).containsExactly("a");
    assertThat(run(q().where("user", Operator.EQUAL_TO, Map.of("name", "Ann"))))
        .containsExactly("a");
  }

  @Test
  void notEqualTo_missingField_matches() {
    assertThat(run(q().where("age", Operator.NOT_EQUAL_TO, 30)))
        .containsExactly("b", "c", "d", "e");
  }

  @Test
  void comparisons_numbers_missingAndNullNeverMatch() {
    assertThat(run(q().where("age", Operator.GREATER_THAN, 30))).containsExactly("c");
    assertThat(run(q().where("age", Operator.GREATER_THAN_OR_EQUAL_TO, 30)))
        .containsExactly("a", "c");
    assertThat(run(q().where("age", Operator.LESS_THAN, 30))).containsExactly("b");
    assertThat(run(q().where("age", Operator.LESS_THAN_OR_EQUAL_TO, 30))).containsExactly("a", "b");
  }

  @Test
  void comparisons_strings_areLexicographicAndCaseSensitive() {
    // "carol" > "Dave" because lower case sorts after upper case; 42 compares as the text "42".
    assertThat(run(q().where("name", Operator.GREATER_THAN, "Bob"))).containsExactly("c", "d");
    assertThat(run(q().where("name", Operator.LESS_THAN, "B"))).containsExactly("a", "e");
  }

  @Test
  void comparisons_booleans_falseBeforeTrue() {
    assertThat(run(q().where("ok", Operator.GREATER_THAN, false))).containsExactly("a", "c");
    assertThat(run(q().where("ok", Operator.LESS_THAN, true))).containsExactly("b");
  }

  @Test
  void comparisons_isoDates_compareAsText() {
    Query dates =
        new Query(
            () ->
                List.of(
                    doc("{'n':'old','at':'2024-01-01T10:00:00Z'}"),
                    doc("{'n':'new','at':'2024-03-01T10:00:00Z'}")));
    assertThat(run(dates.where("at", Operator.GREATER_THAN, "2024-02-01T00:00:00Z")))
        .containsExactly("new");
  }

  @Test
  void stringOperators_useTextOfValues_andSkipMissing() {
    assertThat(run(q().where("name", Operator.STARTS_WITH, "Al"))).containsExactly("a");
    assertThat(run(q().where("name", Operator.ENDS_WITH, "ve"))).containsExactly("d");
    assertThat(run(q().where("name", Operator.CONTAINS, "o"))).containsExactly("b", "c");
    assertThat(run(q().where("name", Operator.STARTS_WITH, "al"))).isEmpty();
    assertThat(run(q().where("name", Operator.STARTS_WITH, 4))).containsExactly("e");
    assertThat(run(q().where("missing", Operator.CONTAINS, ""))).isEmpty();
  }

  @Test
  void arrayContains_nonArrayField_isFalse() {
    assertThat(run(q().where("tags", Operator.ARRAY_CONTAINS, "x"))).containsExactly("a");
    assertThat(run(q().where("tags", Operator.ARRAY_CONTAINS, "y"))).containsExactly("a", "b");
  }

  @Test
  void arrayContainsAny_needsArraysOnBothSides() {
    assertThat(run(q().where("tags", Operator.ARRAY_CONTAINS_ANY, List.of("y", "z"))))
        .containsExactly("a", "b");
    assertThat(run(q().where("tags", Operator.ARRAY_CONTAINS_ANY, "y"))).isEmpty();
  }

  @Test
  void in_andNotIn_needAnArrayArgument() {
    assertThat(run(q().where("n", Operator.IN, List.of("a", "c")))).containsExactly("a", "c");
    assertThat(run(q().where("n", Operator.NOT_IN, List.of("a", "c"))))
        .containsExactly("b", "d", "e");
    assertThat(run(q().where("n", Operator.IN, "a"))).isEmpty();
    assertThat(run(q().where("n", Operator.NOT_IN, "a"))).isEmpty();
  }

  @Test
  void in_missingField_matchesOnlyAListHoldingNull() {
    List<Object> withNull = new ArrayList<>();
    withNull.add(null);
    assertThat(run(q().where("age", Operator.IN, withNull))).containsExactly("d", "e");
    assertThat(run(q().where("age", Operator.NOT_IN, List.of(30))))
        .containsExactly("b", "c", "d", "e");
  }

  @Test
  void isNull_missingOrJsonNull_andIsNotNull_theRest() {
    assertThat(run(q().isNull("age"))).containsExactly("d", "e");
    assertThat(run(q().isNotNull("age"))).containsExactly("a", "b", "c");
    assertThat(run(q().isNull("user.name"))).containsExactly("c", "d", "e");
  }

  @Test
  void where_chained_isAnd() {
    assertThat(
            run(
                q().where("age", Operator.GREATER_THAN, 20)
                    .where("ok", Operator.EQUAL_TO, true)
                    .where("name", Operator.STARTS_WITH, "c")))
        .containsExactly("c");
  }

  @Test
  void orderBy_nullsLastInBothDirections() {
    assertThat(run(q().orderBy("age"))).containsExactly("b", "a", "c", "d", "e");
    assertThat(run(q().orderBy("age", true))).containsExactly("c", "a", "b", "d", "e");
  }

  @Test
  void orderBy_severalKeys_breakTiesInOrder_thenInsertionOrder() {
    Query people =
        new Query(
            () ->
                List.of(
                    doc("{'n':'1','city':'B','age':2}"),
                    doc("{'n':'2','city':'A','age':2}"),
                    doc("{'n':'3','city':'A','age':1}"),
                    doc("{'n':'4','city':'A','age':1}"),
                    doc("{'n':'5','age':0}")));
    assertThat(run(people.orderBy("city").orderBy("age", true)))
        .containsExactly("2", "3", "4", "1", "5");
  }

  @Test
  void orderBy_booleans_falseFirstAscending() {
    assertThat(run(q().isNotNull("ok").orderBy("ok"))).containsExactly("b", "a", "c");
  }

  @Test
  void limitAndOffset_applyAfterFilterAndSort() {
    assertThat(run(q().orderBy("n", true).offset(1).limit(2))).containsExactly("d", "c");
    assertThat(run(q().limit(0))).hasSize(5);
    assertThat(run(q().offset(10))).isEmpty();
  }

  @Test
  void limitOrOffset_negative_isRejected() {
    assertThatThrownBy(() -> q().limit(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> q().offset(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void firstAndCount_followTheQuery() {
    assertThat(q().orderBy("age", true).first().get("n").stringValue()).isEqualTo("c");
    assertThat(q().where("n", Operator.EQUAL_TO, "zz").first()).isNull();
    assertThat(q().where("age", Operator.GREATER_THAN, 0).count()).isEqualTo(3);
  }

  @Test
  void where_badPath_isRejected() {
    assertThatThrownBy(() -> q().where("a..b", Operator.EQUAL_TO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> q().orderBy("")).isInstanceOf(IllegalArgumentException.class);
  }
}
