package dev.rnb.djl.example;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example end to end, a few steps on a small JSONL corpus with three domains. */
class ByteLmExampleTest {
    private static final Pattern LOSS = Pattern.compile("(stratified|rnb)\\s+eval loss (\\d+\\.\\d+)");

    private static Path corpus() throws URISyntaxException {
        return Path.of(ByteLmExampleTest.class.getResource("three-sources.jsonl").toURI());
    }

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = ByteLmExample.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void trainsWithStratifiedAndWithRnbAndReportsLossAndOverhead() throws Exception {
        Run r = run("--input", corpus().toString(), "--steps", "12", "--round", "4", "--batch", "8",
                "--positions", "16", "--hidden", "24", "--backend", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("every 10th example held out"), r.out());
        Matcher m = LOSS.matcher(r.out());
        int runs = 0;
        while (m.find()) {
            double loss = Double.parseDouble(m.group(2));
            // 12 steps from a random start: near ln 256 = 5.55 nats/byte, and finite
            assertTrue(loss > 1 && loss < 7, m.group());
            runs++;
        }
        assertEquals(2, runs, r.out());
        assertTrue(r.out().matches("(?s).*R&B overhead \\d+ ms \\(\\d+\\.\\d%\\) on cpu, 3 rounds.*"), r.out());
        for (String domain : List.of("forum", "textbook", "notes")) {
            assertTrue(r.out().contains(domain), r.out());
        }
    }

    @Test
    void aMalformedLineIsOneErrorLineNamingFileAndLineWithExitCode3(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"text\": \"fine\", \"domain\": \"a\"}\n{\"text\": 42}\n");
        Run r = run("--input", bad.toString(), "--steps", "1");
        assertEquals(3, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("bad.jsonl:2:") && r.err().contains("\"text\""), r.err());
        assertEquals("", r.out());
    }
}
