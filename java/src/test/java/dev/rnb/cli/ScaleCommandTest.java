package dev.rnb.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code rnb scale} at k = 10^2, 10^3: every stage timed, the sparse accumulators no larger than the dense ones. */
class ScaleCommandTest {

    @Test
    void writesATableWithEveryStageAndAChart(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("scale");
        CliRun.Result r = CliRun.capture("scale", "--max-exponent", "3", "--reps", "1", "--warmup", "3", "--round", "4", "--batch", "8",
                "--context", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.stderr());
        String table = Files.readString(out.resolve("scaling.md"));
        assertEquals(table, r.stdout());
        assertTrue(table.contains("medians of 1 rounds after 3 untimed"), table);
        boolean hugePages = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
                .contains("-XX:+UseTransparentHugePages"); // this JVM's flags, read another way than the command reads them
        assertTrue(table.lines().findFirst().orElseThrow().endsWith("; heap on transparent huge pages: " + (hugePages ? "on" : "off")), table);
        assertTrue(Files.size(out.resolve("scaling.png")) > 1000);
        List<String> rows = table.lines().filter(l -> l.startsWith("| ")).toList();
        assertEquals(1 + 25 + 25 + 1 + 4, rows.size(), table);
        assertTrue(table.contains("| whole round (sketched) back to back / copy of its minimum bytes |"), table);
        assertTrue(table.contains("| whole round (sketched) back to back / its minimum bytes at that rate |"), table);
        assertTrue(table.contains("corpus rows: one corpus of N = 1000 documents, document i in domain i mod k"), table);
        for (String stage : new String[] {"sampler draw, one corpus of N documents in k domains, the sketched round's p' (ns/row)",
                "sampler draw, one corpus of N documents in k domains, the round's K batches, the sketched round's p' (ms)",
                "sampler draw, one document per domain (the store grows with k), the sketched round's p' (ns/row)",
                "sampler domain draw alone (no example), p' with every domain present (the dense alias table) (ns/draw)",
                "sampler domain draw alone (no example), the sketched round's p' (ns/draw)",
                "sampler domain draw alone (no example), the sketched round's p' grouped as rnb:hier's, G = ceil(sqrt k) groups, domain d in group d mod G (ns/draw)"}) {
            assertTrue(rows.stream().anyMatch(l -> l.startsWith("| " + stage + " |")), stage + "\n" + table);
        }
        // rnb:hier's whole rows from the fixed corpus: a finite positive time at every k.
        for (String stage : new String[] {"sampler draw, one corpus of N documents in k domains, the sketched round's p' grouped as rnb:hier's (ns/row)",
                "sampler draw, one corpus of N documents in k domains, the round's K batches, the sketched round's p' grouped as rnb:hier's (ms)"}) {
            String row = rows.stream().filter(l -> l.startsWith("| " + stage + " |")).findFirst()
                    .orElseThrow(() -> new AssertionError(stage + "\n" + table));
            String[] cells = row.split("\\|");
            for (int i = 2; i < 4; i++) {
                double time = Double.parseDouble(cells[i].trim());
                assertTrue(Double.isFinite(time) && time > 0, row);
            }
        }
        // The draws against the smallest k, both stores and the domain draws: 1.00x at k = 10^2 itself, a positive ratio at 10^3.
        List<String> ratios = rows.stream().filter(l -> l.contains(" / at k = 10^2 |")).toList();
        assertEquals(9, ratios.size(), table);
        assertTrue(ratios.stream().anyMatch(l -> l.startsWith("| domain draw alone, round's p'")), table);
        assertTrue(ratios.stream().anyMatch(l -> l.startsWith("| domain draw alone, round's p' grouped")), table);
        assertTrue(ratios.stream().anyMatch(l -> l.startsWith("| T = 1 draw, round's p', one corpus of N documents in k domains")), table);
        assertTrue(ratios.stream().anyMatch(l -> l.startsWith("| round's K batch draws, one corpus of N documents in k domains")), table);
        assertTrue(ratios.stream().anyMatch(l -> l.startsWith("| T = 1 draw, round's p' grouped (G = ceil(sqrt k)), one corpus")), table);
        assertTrue(ratios.stream().anyMatch(l -> l.startsWith("| round's K batch draws, round's p' grouped (G = ceil(sqrt k)), one corpus")), table);
        for (String row : ratios) {
            String[] cells = row.split("\\|");
            assertEquals("1.00x", cells[2].trim(), row);
            assertTrue(Double.parseDouble(cells[3].trim().replace("x", "")) > 0, row);
        }
        for (String row : rows.subList(1, 23)) {
            String[] cells = row.split("\\|");
            assertEquals(5, cells.length, row); // "", stage, k = 10^2, k = 10^3, slope
            assertFalse(Double.isNaN(Double.parseDouble(cells[4].trim())), row);
        }
        // 1 GiB holds 16,384 exact 128 x 128 domains of 64 KiB; GPT-2 small's head (147 MiB per domain) 6 of them.
        CliRun.Result small = CliRun.capture("scale", "--max-exponent", "3", "--reps", "1", "--warmup", "0", "--round", "4", "--batch", "8",
                "--context", "3", "--hidden", "128", "--vocab", "128", "--memory-gib", "1", "--out", out.toString());
        assertTrue(small.stdout().contains("| exact | 128 x 128 | 64.0 KiB | 16,384 | 16,384 (fits) |"), small.stdout());
        assertTrue(small.stdout().contains("| exact | 50257 x 768 | 147.2 MiB | 6 | 6 (sketch needed) |"), small.stdout());
        String touched = rows.stream().filter(l -> l.startsWith("| domains touched")).findFirst().orElseThrow();
        // The round's floor by hand: 4 steps of 24 rows read H and E (16 floats a row) and write 16 batch bytes a row,
        // t touched sketches written and read, 32 bytes a touched domain for p' and the sampler's table, and each of
        // the 4 x 8 sequences' T + 1 = 4 bytes of its example read. The sketches count whole rows of r = 1024 floats
        // in the old floor, their live lines in the new: the 64 coordinates reach at most 64 of a row's 64 lines of
        // 16 floats, at least one.
        String[] t = touched.split("\\|"), floor = rows.stream().filter(l -> l.startsWith("| whole round's minimum bytes |"))
                .findFirst().orElseThrow().split("\\|"), whole = rows.stream()
                .filter(l -> l.startsWith("| whole round's minimum bytes counting whole sketch rows |")).findFirst().orElseThrow().split("\\|");
        for (int i = 0; i < 2; i++) {
            int touchedDomains = Integer.parseInt(t[2 + i].trim());
            java.util.function.LongFunction<String> bytes = sketchFloats -> String.format(java.util.Locale.ROOT, "%.1f KiB",
                    (4L * 24 * 16 * 4 + 2L * touchedDomains * sketchFloats * 4 + 4L * 24 * 16 + 32L * touchedDomains + 4L * 8 * 4) / 1024.0);
            assertEquals(bytes.apply(1024), whole[2 + i].trim(), table);
            String live = floor[2 + i].trim();
            assertTrue(java.util.stream.LongStream.rangeClosed(1, 64).anyMatch(lines -> bytes.apply(16 * lines).equals(live)),
                    live + " is no whole number of lines a touched row\n" + table);
        }
        for (String cell : touched.split("\\|")) {
            if (cell.trim().matches("\\d+")) {
                int n = Integer.parseInt(cell.trim());
                assertTrue(n >= 1 && n <= 4 * 8, "a round of 4 steps of 8 sequences touches at most 32 domains: " + touched);
            }
        }
    }

    @Test
    void rejectsAnExponentOutOfRange(@TempDir Path dir) {
        CliRun.Result r = CliRun.capture("scale", "--max-exponent", "9", "--out", dir.toString());
        assertEquals(ExitCodes.BAD_OPTIONS, r.code());
        assertEquals("rnb scale: --max-exponent must be in 3..7, got 9", r.stderr().strip());
        CliRun.Result w = CliRun.capture("scale", "--warmup", "-1", "--out", dir.toString());
        assertEquals(ExitCodes.BAD_OPTIONS, w.code());
        assertEquals("rnb scale: --warmup must be >= 0, got -1", w.stderr().strip());
        CliRun.Result m = CliRun.capture("scale", "--min-exponent", "4", "--max-exponent", "3", "--out", dir.toString());
        assertEquals(ExitCodes.BAD_OPTIONS, m.code());
        assertEquals("rnb scale: --min-exponent must be in 1..3 (--max-exponent), got 4", m.stderr().strip());
    }
}
