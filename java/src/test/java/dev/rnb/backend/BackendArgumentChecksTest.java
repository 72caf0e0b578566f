package dev.rnb.backend;

import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The front door's checks fire the same way on every device: each public
 * operation of {@link Backend}, given one bad argument, throws the same
 * exception with the same message (the backend's name aside) on cpu,
 * cuda-emulated and cuda as on reference, before any device code runs.
 */
class BackendArgumentChecksTest {
    private static final TestBackends BACKENDS = new TestBackends();
    private static final Backend REF = new ReferenceBackend();
    /** Owns the foreign tensors: a backend of its own (named apart from all under test), so every one rejects them. */
    private static final Backend OTHER = ReferenceBackend.float64();

    /** Allocates a case's tensors on the backend under test and closes them afterwards. */
    private static final class Tensors implements AutoCloseable {
        final Backend b;
        final List<Tensor> open = new ArrayList<>();

        Tensors(Backend b) { this.b = b; }

        Tensor t(long size) {
            Tensor t = b.allocate(size);
            open.add(t);
            return t;
        }

        Tensor foreign(long size) {
            Tensor t = OTHER.allocate(size);
            open.add(t);
            return t;
        }

        @Override
        public void close() { open.forEach(Tensor::close); }
    }

    /** One bad call per entry; every public operation appears at least once. */
    private static final Map<String, BiConsumer<Backend, Tensors>> CASES = new LinkedHashMap<>();

    private static void bad(String what, BiConsumer<Backend, Tensors> call) { CASES.put(what, call); }

    static {
        DomainSegments two = DomainSegments.of(new int[] {0, 1, 1}, 3, 2);
        bad("allocate negative", (b, t) -> b.allocate(-1));
        bad("allocateHugePaged negative", (b, t) -> b.allocateHugePaged(-1));
        bad("view past the end", (b, t) -> b.view(t.t(10), 8, 3));
        bad("view of a foreign tensor", (b, t) -> b.view(t.foreign(10), 0, 3));
        bad("upload past the end", (b, t) -> b.upload(new float[8], 0, t.t(4), 2, 3));
        bad("download past the end", (b, t) -> b.download(t.t(4), 3, new float[8], 0, 2));
        bad("copy past the destination", (b, t) -> b.copy(t.t(8), 0, t.t(4), 1, 4));
        bad("copy from a foreign tensor", (b, t) -> b.copy(t.foreign(8), 0, t.t(8), 0, 4));
        bad("zero a foreign tensor", (b, t) -> b.zero(t.foreign(4)));
        bad("gemm A too small", (b, t) -> b.gemm(false, false, 3, 3, 3, 1f, t.t(4), 3, t.t(9), 3, 0f, t.t(9), 3));
        bad("gemm negative size", (b, t) -> b.gemm(false, false, -1, 3, 3, 1f, t.t(9), 3, t.t(9), 3, 0f, t.t(9), 3));
        bad("gemm leading dimension", (b, t) -> b.gemm(false, true, 3, 3, 3, 1f, t.t(9), 2, t.t(9), 3, 0f, t.t(9), 3));
        bad("gemm foreign C", (b, t) -> b.gemm(false, false, 3, 3, 3, 1f, t.t(9), 3, t.t(9), 3, 0f, t.foreign(9), 3));
        bad("domainGradAccumulate G too small", (b, t) -> b.domainGradAccumulate(t.t(3 * 4), t.t(3 * 5), 4, 5, two, t.t(2 * 20 - 1)));
        bad("domainGradAccumulate foreign H", (b, t) -> b.domainGradAccumulate(t.foreign(3 * 4), t.t(3 * 5), 4, 5, two, t.t(2 * 20)));
        bad("domainGradAccumulateWithHead head too small", (b, t) -> b.domainGradAccumulateWithHead(t.t(3 * 4), t.t(3 * 5), 4, 5, two, t.t(2 * 20), t.t(19)));
        bad("domainGradAccumulateWithHead foreign head", (b, t) -> b.domainGradAccumulateWithHead(t.t(3 * 4), t.t(3 * 5), 4, 5, two, t.t(2 * 20), t.foreign(20)));
        bad("domainGradSketchAccumulate r = 0", (b, t) -> b.domainGradSketchAccumulate(t.t(12), t.t(15), 4, 5, two, 0, 7, t.t(8)));
        bad("domainGradSketchAccumulate sketch too small", (b, t) -> b.domainGradSketchAccumulate(t.t(12), t.t(15), 4, 5, two, 4, 7, t.t(7)));
        bad("signProjection n = 0", (b, t) -> b.signProjection(t.t(4), 0, 7, 1f));
        bad("signProjection out too small", (b, t) -> b.signProjection(t.t(4), 5, 7, 1f));
        bad("signProjection NaN scale", (b, t) -> b.signProjection(t.t(4), 4, 7, Float.NaN));
        bad("gram output too small", (b, t) -> b.gram(t.t(6), 2, 3, new float[2], t.t(3)));
        bad("gram scale length", (b, t) -> b.gram(t.t(6), 2, 3, new float[3], t.t(4)));
        bad("gramTimesP p length", (b, t) -> b.gramTimesP(t.t(6), 2, 3, new float[2], new float[1]));
        bad("gramTimesP X too small", (b, t) -> b.gramTimesP(t.t(5), 2, 3, new float[2], new float[2]));
        bad("gramTimesPThenZero p length", (b, t) -> b.gramTimesPThenZero(t.t(6), 2, 3, new float[2], new float[1]));
        bad("gramTimesPThenZero X too small", (b, t) -> b.gramTimesPThenZero(t.t(5), 2, 3, new float[2], new float[2]));
        bad("balanceUpdate lengths", (b, t) -> b.balanceUpdate(new float[2], new float[3], new float[2], 1f));
        bad("balanceUpdate NaN lambda", (b, t) -> b.balanceUpdate(new float[2], new float[2], new float[2], Float.NaN));
        bad("balanceRound current length", (b, t) -> b.balanceRound(t.t(6), 2, 3, new float[2], new float[2], 1f, new float[3]));
        bad("balanceRound negative lambda", (b, t) -> b.balanceRound(t.t(6), 2, 3, new float[2], new float[2], -1f, new float[2]));
        bad("balanceRound foreign X", (b, t) -> b.balanceRound(t.foreign(6), 2, 3, new float[2], new float[2], 1f, new float[2]));
        // B=2, T=3, C=4: N = 6 rows.
        bad("encoderForward wpe too small", (b, t) -> b.encoderForward(t.t(24), t.t(6), t.t(40), t.t(11), 2, 3, 4));
        bad("encoderBackward tokens too small", (b, t) -> b.encoderBackward(t.t(40), t.t(12), t.t(24), t.t(5), 2, 3, 4));
        bad("encoderForward foreign out", (b, t) -> b.encoderForward(t.foreign(24), t.t(6), t.t(40), t.t(12), 2, 3, 4));
        bad("layerNormForward mean too small", (b, t) -> b.layerNormForward(t.t(24), t.t(5), t.t(6), t.t(24), t.t(4), t.t(4), 6, 4));
        bad("residualLayerNormForward delta too small", (b, t) ->
                b.residualLayerNormForward(t.t(24), t.t(24), t.t(6), t.t(6), t.t(24), t.t(23), t.t(4), t.t(4), 6, 4));
        bad("residualLayerNormBackward ddeltaBias too small", (b, t) ->
                b.residualLayerNormBackward(t.t(24), t.t(4), t.t(4), t.t(3), t.t(24), t.t(24), t.t(4), t.t(6), t.t(6), 6, 4));
        bad("layerNormBackward dweight too small", (b, t) ->
                b.layerNormBackward(t.t(24), t.t(3), t.t(4), t.t(24), t.t(24), t.t(4), t.t(6), t.t(6), 6, 4));
        bad("biasAdd bias too small", (b, t) -> b.biasAdd(t.t(24), t.t(3), 6, 4));
        bad("biasBackward negative N", (b, t) -> b.biasBackward(t.t(4), t.t(24), -6, 4));
        bad("attentionForward heads", (b, t) -> b.attentionForward(t.t(24), t.t(2 * 3 * 9), t.t(72), 2, 3, 4, 3));
        bad("attentionBackward dpreatt too small", (b, t) ->
                b.attentionBackward(t.t(72), t.t(2 * 2 * 9 - 1), t.t(24), t.t(72), t.t(2 * 2 * 9), 2, 3, 4, 2));
        bad("geluForward input too small", (b, t) -> b.geluForward(t.t(10), t.t(9), 10));
        bad("geluBackward negative n", (b, t) -> b.geluBackward(t.t(10), t.t(10), t.t(10), -1));
        bad("add operand too small", (b, t) -> b.add(t.t(10), t.t(10), t.t(9), 10));
        bad("add foreign operand", (b, t) -> b.add(t.t(10), t.foreign(10), t.t(10), 10));
        bad("crossEntropy empty vocabulary", (b, t) -> b.crossEntropy(t.t(6), t.t(1), null, t.t(6), t.t(6), t.t(6), 6, 0));
        bad("crossEntropy dlogits too small", (b, t) -> b.crossEntropy(t.t(6), t.t(1), t.t(29), t.t(30), t.t(6), t.t(6), 6, 5));
        bad("crossEntropy foreign dlogits", (b, t) -> b.crossEntropy(t.t(6), t.t(1), t.foreign(30), t.t(30), t.t(6), t.t(6), 6, 5));
        bad("squaredNorm empty output", (b, t) -> b.squaredNorm(t.t(0), t.t(10), 10));
        bad("adamw step 0", (b, t) -> b.adamw(t.t(10), t.t(10), t.t(10), t.t(10), 10, t.t(1), 1f, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0));
        bad("adamw moments too small", (b, t) -> b.adamw(t.t(10), t.t(10), t.t(9), t.t(10), 10, t.t(1), 1f, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 1));
        bad("rowSquaredNorms output too small", (b, t) -> b.rowSquaredNorms(t.t(15), 5, 3, t.t(4)));
        bad("normalizeRows d = 0", (b, t) -> b.normalizeRows(t.t(15), 5, 0));
        bad("assignNearest centroids too small", (b, t) -> b.assignNearest(t.t(10), t.t(5), 5, 2, t.t(3), 2, t.t(5), t.t(5)));
        bad("assignNearestBounded previous centroids too small",
                (b, t) -> b.assignNearestBounded(t.t(10), t.t(5), 5, 2, t.t(4), 2, t.t(5), t.t(5), t.t(5), t.t(3)));
        bad("assignNearestBounded foreign bounds",
                (b, t) -> b.assignNearestBounded(t.t(10), t.t(5), 5, 2, t.t(4), 2, t.t(5), t.t(5), t.foreign(5), t.t(4)));
        bad("updateCentroids counts too small", (b, t) -> b.updateCentroids(t.t(10), 5, 2, t.t(5), 3, false, t.t(6), t.t(2)));
        bad("silhouette too many clusters", (b, t) -> b.silhouette(t.t(10), t.t(5), 5, 2, t.t(5), (1 << 24) + 1, t.t(5)));
        bad("silhouette foreign labels", (b, t) -> b.silhouette(t.t(10), t.t(5), 5, 2, t.foreign(5), 2, t.t(5)));
    }

    @AfterAll
    static void closeAll() {
        BACKENDS.close();
        REF.close();
        OTHER.close();
    }

    /** The exception a bad call throws, as "Class: message" with the backend's name replaced. */
    private static String outcome(Backend b, BiConsumer<Backend, Tensors> call) {
        try (Tensors t = new Tensors(b)) {
            call.accept(b, t);
            return null;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace("'" + b.name() + "'", "'<backend>'");
        }
    }

    @Test
    void everyPublicOperationHasACase() {
        for (Method m : Backend.class.getDeclaredMethods()) {
            // an operation without arguments (synchronize) has no bad call
            if (Modifier.isPublic(m.getModifiers()) && Modifier.isFinal(m.getModifiers()) && m.getParameterCount() > 0) {
                assertTrue(CASES.keySet().stream().anyMatch(k -> k.startsWith(m.getName() + " ")), "no bad call of " + m.getName());
            }
        }
    }

    /** Rejected by a check (an array index out of bounds would be the reference's loop running anyway). */
    @Test
    void everyCaseIsRejectedByACheckOnTheReference() {
        CASES.forEach((what, call) -> {
            String outcome = outcome(REF, call);
            assertNotNull(outcome, what + " was accepted");
            assertTrue(outcome.startsWith("IllegalArgumentException: ") || outcome.startsWith("IndexOutOfBoundsException: "),
                    what + ": " + outcome);
        });
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void everyCheckFiresAsOnTheReference(String name) {
        Backend b = BACKENDS.get(name);
        CASES.forEach((what, call) -> assertEquals(outcome(REF, call), outcome(b, call), name + ": " + what));
    }
}
