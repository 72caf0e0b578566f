package dev.rnb.embed;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rnb regroup with the default (neural) embedder opens no network connection:
 * run in a fresh JVM whose security manager refuses and reports every socket
 * operation, with an empty home folder (so the tokenizers' native library is
 * unpacked from its jar afresh, the path that would download it if it were
 * missing).
 */
class NoNetworkTest {
    @TempDir
    Path dir;

    @Test
    void regroupWithTheDefaultEmbedderStaysOffTheNetwork() throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        String[] texts = {"The striker scored in the final minute.", "Simmer the onions in butter.", "Rates rose at the central bank."};
        for (int i = 0; i < 30; i++) sb.append("{\"text\":\"").append(texts[i % 3]).append(" ").append(i).append("\"}\n");
        Path train = dir.resolve("train.jsonl");
        Files.writeString(train, sb.toString());
        Path home = Files.createDirectories(dir.resolve("home"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Djava.security.manager=allow", "-Duser.home=" + home,
                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                "-cp", System.getProperty("java.class.path"), NoNetworkMain.class.getName(),
                "regroup", "--train", train.toString(), "--out", dir.resolve("out").toString(), "--k", "2..3", "--backend", "cpu");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "finished");
        String log = Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("embedder: all-MiniLM-L6-v2 (384 dims") && log.contains("ONNX Runtime"), log);
    }
}
