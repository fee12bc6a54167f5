/**
 * Test support shared by Patchbay's modules: contract suites every SPI implementation runs (extend
 * {@link dev.patchbay.testkit.DocStoreContract} and supply the store) and small fakes such as
 * {@link dev.patchbay.testkit.ManualClock}.
 */
@NullMarked
package dev.patchbay.testkit;

import org.jspecify.annotations.NullMarked;
