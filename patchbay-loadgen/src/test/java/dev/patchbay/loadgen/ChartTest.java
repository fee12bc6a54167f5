package dev.patchbay.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartTest {
  @Test
  void read_sweepCsvAndPeerJsonLines_pointsOfBoth(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("sweep.csv");
    Files.writeString(
        csv,
        String.join(",", Sweep.COLUMNS)
            + "\n"
            + "patchbay-memory,60,6,100,10.0,600,598.1,5382.9,1.2,2.0,4.5,9.1,5400,5400,0,true\n"
            + "patchbay-memory,60,6,100,50.0,3000,1500.0,9000.0,800,900,1200,1300,4000,27000,0,false\n");
    Path peers = dir.resolve("peers.jsonl");
    Files.writeString(
        peers,
        "{\"system\":\"sharedb\",\"N\":60,\"M\":6,\"K\":100,\"RATE\":25,\"p99ms\":29.6,"
            + "\"delivered\":54000,\"expectedDeliveries\":54000}\n"
            + "not json and not a row\n");
    List<Chart.Point> points = new ArrayList<>(Chart.read(csv));
    points.addAll(Chart.read(peers));
    assertThat(points)
        .containsExactly(
            new Chart.Point("patchbay-memory", 600, 4.5, true),
            new Chart.Point("patchbay-memory", 3000, 1200, false),
            new Chart.Point("sharedb (peer-bench)", 1500, 29.6, true));

    Path png = dir.resolve("out/p99.png");
    Chart.draw(points, "test", png, 800, 500);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(800);
    assertThat(image.getHeight()).isEqualTo(500);
    assertThat(distinctColours(image)).isGreaterThan(3);
  }

  private static long distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int x = 0; x < image.getWidth(); x += 3) {
      for (int y = 0; y < image.getHeight(); y += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }

  @Test
  void sweep_memoryAndEcho_oneCsvRowPerPointAndAChart(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("sweep.csv");
    Sweep.Spec spec =
        new Sweep.Spec(
            List.of("memory", "echo"),
            List.of(20.0, 40.0),
            4,
            2,
            3,
            2,
            Duration.ofSeconds(30),
            Duration.ofSeconds(60));
    try (Driver driver = new Driver(1)) {
      List<Report> reports = Sweep.run(driver, spec, csv, false, BroadcastTest.NOWHERE);
      assertThat(reports).hasSize(4);
      reports.forEach(r -> assertThat(r.getLong("delivered")).isEqualTo(4 * 3));
    }
    List<String> lines = Files.readAllLines(csv);
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).isEqualTo(String.join(",", Sweep.COLUMNS));
    List<Chart.Point> points = Chart.read(csv);
    assertThat(points)
        .extracting(Chart.Point::system)
        .containsExactly("patchbay-memory", "patchbay-memory", "echo", "echo");
    assertThat(points).extracting(Chart.Point::offered).containsExactly(80.0, 160.0, 80.0, 160.0);
  }
}
