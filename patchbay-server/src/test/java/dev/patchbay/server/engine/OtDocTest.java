package dev.patchbay.server.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchbay.core.json.Json;
import dev.patchbay.core.ot.Change;
import dev.patchbay.core.patch.PatchOp;
import dev.patchbay.server.spi.VersionMetadata;
import dev.patchbay.server.spi.VersionOrigin;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OtDocTest {

  /** The running size must equal a recount of the tail after every kind of step. */
  @Test
  void approximateBytes_appendsVersionsAndTrims_equalsARecount() {
    OtDoc doc = new OtDoc("d");
    Random random = new Random(5);
    long rev = 0;
    for (int step = 0; step < 3_000; step++) {
      List<Change> batch = new ArrayList<>();
      int n = 1 + random.nextInt(4);
      for (int i = 0; i < n; i++) {
        rev++;
        String value = "x".repeat(random.nextInt(50));
        batch.add(
            Change.of(
                "c" + rev,
                rev - 1,
                rev,
                List.of(PatchOp.replace("/k" + random.nextInt(9), Json.NODES.stringNode(value))),
                1L));
      }
      doc.append(batch);
      if (random.nextInt(100) == 0) { // a new main version at the head
        doc.mainVersion = VersionMetadata.of("v" + rev, VersionOrigin.MAIN, 1, 1, 1, rev);
        doc.mainStateBytes = random.nextInt(1_000);
      }
      assertThat(doc.approximateBytes()).as("step %d", step).isEqualTo(recount(doc));
    }
    assertThat(doc.tailBase).as("the tail was trimmed along the way").isPositive();
  }

  /** What the estimate means: the version's state plus the tail's changes after it. */
  private static long recount(OtDoc doc) {
    long end = doc.mainVersion == null ? 0 : doc.mainVersion.endRev();
    long bytes = doc.mainStateBytes;
    for (Change c : doc.tail) {
      if (c.rev() > end) {
        bytes += c.toJsonString().length();
      }
    }
    return bytes;
  }
}
