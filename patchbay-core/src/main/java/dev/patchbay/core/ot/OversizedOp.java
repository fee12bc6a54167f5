package dev.patchbay.core.ot;

import org.jspecify.annotations.Nullable;

/**
 * A report that change splitting met an op it could not break below the budget. When {@code
 * emitted} the op went out anyway (a change riding above the intended budget); otherwise it was
 * refused with an {@link UnsplittableChangeException}. Route these to telemetry through {@link
 * SplitOptions#onOversizedOp()}.
 *
 * @param op the JSON Patch op name ({@code @txt}, {@code replace}, …)
 * @param path the path of the op
 * @param bytes the measured size of the op in its change, by the budget's size measure
 * @param maxBytes the budget it overshot
 * @param budget which budget {@code maxBytes} is
 * @param docId the document, when the caller named it
 * @param changeId the id of the change being split
 * @param emitted {@code true} when the op went out anyway, {@code false} when it was refused
 * @param reason why the splitter had no seam to cut the op on
 */
public record OversizedOp(
    String op,
    String path,
    double bytes,
    long maxBytes,
    Budget budget,
    @Nullable String docId,
    @Nullable String changeId,
    boolean emitted,
    Reason reason) {

  /** Which budget was overshot. */
  public enum Budget {
    /** The per-change storage budget ({@code maxStorageBytes}, measured by the size calculator). */
    STORAGE,
    /** The wire budget ({@code maxPayloadBytes}, measured as raw JSON). */
    PAYLOAD
  }

  /** Why an op could not be split. */
  public enum Reason {
    /** The op type has no splitter (not {@code @txt}, {@code replace} or {@code add}). */
    OP_TYPE,
    /** A single delta op that is not a string insert: an embed, or a retain. */
    DELTA_OP,
    /** A {@code replace}/{@code add} whose value is not an object to pull text out of. */
    VALUE_NOT_OBJECT,
    /** A {@code replace}/{@code add} object value without text deltas. */
    VALUE_NO_TEXT,
    /** A single code point of an insert that still measures over budget. */
    INSERT_CHUNK
  }
}
