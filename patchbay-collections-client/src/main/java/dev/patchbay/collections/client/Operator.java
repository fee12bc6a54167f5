package dev.patchbay.collections.client;

/**
 * The 15 query operators of a {@link Query#where(String, Operator, Object)} condition, with
 * SyncLayer's rules: a missing or JSON-null field never satisfies the comparisons nor {@code
 * STARTS_WITH}, {@code ENDS_WITH}, {@code CONTAINS}; it does satisfy {@code NOT_EQUAL_TO} and
 * {@code IS_NULL}.
 */
public enum Operator {
  /** Deep JSON equality; numbers by value ({@code 1 == 1.0}). */
  EQUAL_TO,
  /** Not {@link #EQUAL_TO}; a missing field is not equal to any value. */
  NOT_EQUAL_TO,
  /** Field greater than the value (numbers, strings, booleans with false &lt; true, else text). */
  GREATER_THAN,
  /** Field greater than or equal to the value. */
  GREATER_THAN_OR_EQUAL_TO,
  /** Field less than the value. */
  LESS_THAN,
  /** Field less than or equal to the value. */
  LESS_THAN_OR_EQUAL_TO,
  /** The field's text starts with the value's text (case-sensitive). */
  STARTS_WITH,
  /** The field's text ends with the value's text (case-sensitive). */
  ENDS_WITH,
  /** The field's text contains the value's text (case-sensitive). */
  CONTAINS,
  /** The field is an array holding an element equal to the value; false for a non-array field. */
  ARRAY_CONTAINS,
  /** The field is an array sharing an element with the value (an array); false otherwise. */
  ARRAY_CONTAINS_ANY,
  /** The value is an array holding an element equal to the field; false when it is no array. */
  IN,
  /** The value is an array holding no element equal to the field; false when it is no array. */
  NOT_IN,
  /** The field is missing or JSON null (the value is ignored). */
  IS_NULL,
  /** The field is present and not JSON null (the value is ignored). */
  IS_NOT_NULL
}
