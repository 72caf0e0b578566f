package dev.rnb.backend;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {

    @Test
    void opensEveryHostBackendByName() {
        for (String name : List.of("reference", "cpu", "cuda-emulated")) {
            try (Backend b = Backends.open(name)) {
                assertEquals(name, b.name());
                assertFalse(b.describe().isBlank());
            }
        }
    }

    @Test
    void unknownNameIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.open("tpu"));
        assertTrue(e.getMessage().contains("cuda-emulated"), e.getMessage());
    }

    @Test
    void missingGpuFallsBackWithOneLogLineAndNoStackTrace() {
        boolean gpu = Backends.probeAll().stream().anyMatch(p -> p.name().equals("cuda") && p.available());
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try (Backend b = Backends.select(List.of("cuda", "cpu", "reference"))) {
            assertEquals(gpu ? "cuda" : "cpu", b.name());
        } finally {
            System.setErr(saved);
        }
        String log = captured.toString();
        if (!gpu) {
            assertEquals(1, log.lines().count(), log);
            assertTrue(log.startsWith("rnb: cuda backend unavailable ("), log);
            assertTrue(log.trim().endsWith("using cpu"), log);
            assertFalse(log.contains("\tat "), log);
        }
    }

    @Test
    void probeReportsEveryBackend() {
        List<Backends.Probe> probes = Backends.probeAll();
        assertEquals(Backends.NAMES, probes.stream().map(Backends.Probe::name).toList());
        for (Backends.Probe p : probes) {
            assertFalse(p.detail().isBlank(), p.name());
        }
    }

    @Test
    void theFullReasonKeepsEveryMessageOfTheCauseChain() {
        Throwable root = new UnsatisfiedLinkError("no libJCudaDriver in\n  /a/libJCudaDriver.so\n  /b/libJCudaDriver.so");
        RuntimeException wrapped = new IllegalStateException("cannot open the driver", root);
        BackendUnavailableException e = new BackendUnavailableException("cuda", Backends.reason(wrapped), wrapped);
        String full = Backends.fullReason(e);
        assertTrue(full.contains("cannot open the driver") && full.contains("/b/libJCudaDriver.so"), full);
        assertTrue(full.contains("caused by java.lang.UnsatisfiedLinkError"), full);
        assertEquals(1, Backends.reason(wrapped).lines().count(), Backends.reason(wrapped));
    }

    @Test
    void anUnavailableBackendKeepsWhatFailed() {
        try {
            Backends.open("cuda").close();
        } catch (BackendUnavailableException e) {
            assertTrue(e.getCause() != null, "no cause kept");
            assertTrue(Backends.fullReason(e).contains(e.getCause().getClass().getName()), Backends.fullReason(e));
        }
    }
}
