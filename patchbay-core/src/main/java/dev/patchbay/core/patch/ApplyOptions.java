package dev.patchbay.core.patch;

/**
 * How {@link JsonPatch#apply} treats an op that fails. The flags mirror the Patches {@code
 * ApplyJSONPatchOptions}:
 *
 * <ul>
 *   <li><b>default</b> (all false): a failed op is skipped; a failed {@code test} aborts the patch
 *       and the original document is returned.
 *   <li><b>strict</b>: the first failed op throws a {@link PatchApplyException}. This is how every
 *       committed or pending change is applied.
 *   <li><b>rigid</b>: any failed op aborts the patch like a failed {@code test}.
 *   <li><b>partial</b>: an aborted patch returns the document as far as it got instead of the
 *       original.
 *   <li><b>silent</b>: accepted for parity with Patches, where it only turns logging off; Patchbay
 *       never logs from apply, so it changes nothing.
 *   <li><b>legacyTextOverrunPadding</b>: an {@code @txt} retain that runs past the end of the text
 *       is padded with spaces instead of dropped. Only for replaying history that was written under
 *       the old rule.
 *   <li><b>rfcStrict</b>: plain RFC 6902 instead of the Patches dialect (see {@link #rfc6902()}).
 * </ul>
 *
 * <p>Instances are immutable and can be shared between threads.
 *
 * @param strict throw on the first failed op
 * @param rigid abort the patch on any failed op, not just a failed {@code test}
 * @param partial return the partly patched document when the patch aborts
 * @param silent no effect (Patches uses it to silence logging)
 * @param legacyTextOverrunPadding pad overrunning {@code @txt} retains with spaces
 * @param rfcStrict apply plain RFC 6902: no auto-created parents, every target must exist, only the
 *     six RFC ops, and any failure fails the whole patch
 */
public record ApplyOptions(
    boolean strict,
    boolean rigid,
    boolean partial,
    boolean silent,
    boolean legacyTextOverrunPadding,
    boolean rfcStrict) {

  /** Patches default mode: skip failed ops, abort on a failed {@code test}. */
  public static final ApplyOptions DEFAULT =
      new ApplyOptions(false, false, false, false, false, false);

  /** Patches strict mode: throw on the first failed op. */
  public static final ApplyOptions STRICT =
      new ApplyOptions(true, false, false, false, false, false);

  private static final ApplyOptions RFC_6902 =
      new ApplyOptions(true, false, false, false, false, true);

  /**
   * Returns the RFC 6902 mode: strict, no auto-created parents, remove and replace need an existing
   * target, array indexes must be canonical, and the Patches extension ops ({@code @inc}, {@code
   * soft}, …) are rejected. Where Patches mode differs is listed in {@code docs/json-patch.md}.
   */
  public static ApplyOptions rfc6902() {
    return RFC_6902;
  }

  /** Returns these options with {@code strict} set. */
  public ApplyOptions withStrict(boolean value) {
    return new ApplyOptions(value, rigid, partial, silent, legacyTextOverrunPadding, rfcStrict);
  }

  /** Returns these options with {@code rigid} set. */
  public ApplyOptions withRigid(boolean value) {
    return new ApplyOptions(strict, value, partial, silent, legacyTextOverrunPadding, rfcStrict);
  }

  /** Returns these options with {@code partial} set. */
  public ApplyOptions withPartial(boolean value) {
    return new ApplyOptions(strict, rigid, value, silent, legacyTextOverrunPadding, rfcStrict);
  }

  /** Returns these options with {@code silent} set. */
  public ApplyOptions withSilent(boolean value) {
    return new ApplyOptions(strict, rigid, partial, value, legacyTextOverrunPadding, rfcStrict);
  }

  /** Returns these options with {@code legacyTextOverrunPadding} set. */
  public ApplyOptions withLegacyTextOverrunPadding(boolean value) {
    return new ApplyOptions(strict, rigid, partial, silent, value, rfcStrict);
  }

  /** Returns these options with {@code rfcStrict} set. */
  public ApplyOptions withRfcStrict(boolean value) {
    return new ApplyOptions(strict, rigid, partial, silent, legacyTextOverrunPadding, value);
  }
}
