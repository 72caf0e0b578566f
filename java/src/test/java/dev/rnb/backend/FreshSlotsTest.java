package dev.rnb.backend;

import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.balance.DomainGradients;
import dev.rnb.balance.SketchSpec;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first fresh slot DomainGradients hands the backend with each batch
 * ({@link DomainSegments#firstFresh()}): the slots from it on must be exactly
 * the batch's domains that no earlier batch of the round (nor a restore)
 * gave a slot, over ragged batches of new and repeated domains, rounds ended
 * both ways, exact and sketched.
 */
class FreshSlotsTest {

    /** The reference backend, its balance operations' segments recorded as they arrive. */
    private static final class RecordingBackend extends Backend {
        private final Backend inner = new ReferenceBackend();
        final List<DomainSegments> seen = new ArrayList<>();
        private final BalanceOps balance = (BalanceOps) Proxy.newProxyInstance(BalanceOps.class.getClassLoader(),
                new Class<?>[] {BalanceOps.class}, (proxy, method, args) -> {
                    for (Object a : args == null ? new Object[0] : args) {
                        if (a instanceof DomainSegments s) {
                            seen.add(s);
                        }
                    }
                    try {
                        return method.invoke(inner.balanceOps(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });

        @Override public String name() { return "recording"; }
        @Override public String describe() { return "the reference backend, its segments recorded"; }
        @Override public void close() { inner.close(); }
        @Override protected DeviceMemory memory() { return inner.memory(); }
        @Override protected ModelOps modelOps() { return inner.modelOps(); }
        @Override protected ClusterOps clusterOps() { return inner.clusterOps(); }
        @Override protected BalanceOps balanceOps() { return balance; }
    }

    @Test
    void freshSlotsAreTheBatchsNewDomains() {
        for (SketchSpec spec : new SketchSpec[] {SketchSpec.count(24), SketchSpec.count(1024), SketchSpec.EXACT}) {
            Rng rng = new Rng();
            int k = 1 + rng.nextInt(3000), hDim = 1 + rng.nextInt(5), vDim = 1 + rng.nextInt(5);
            try (RecordingBackend backend = new RecordingBackend();
                 DomainGradients grads = new DomainGradients(backend, k, hDim, vDim, spec, rng.nextInt(1000))) {
                for (int round = 0; round < 4; round++) {
                    Set<Integer> given = new HashSet<>();
                    int pool = 1 + rng.nextInt(Math.min(k, 40)); // few domains: many repeats within and across batches
                    for (int batch = 0; batch < 6; batch++) {
                        if (batch == 3 && round % 2 == 1) {
                            int restored = rng.nextInt(k);
                            if (!given.contains(restored)) {
                                grads.restoreSlot(restored, 1 + rng.nextInt(5), new float[(int) grads.dimension()]);
                                given.add(restored);
                            }
                        }
                        int rows = 1 + rng.nextInt(90);
                        int[] dom = new int[rows];
                        for (int r = 0; r < rows; r++) {
                            dom[r] = r > 0 && rng.nextInt(3) > 0 ? dom[r - 1]
                                    : rng.nextInt(4) == 0 ? rng.nextInt(k) : rng.nextInt(pool);
                        }
                        Set<Integer> fresh = new HashSet<>();
                        for (int d : dom) {
                            if (!given.contains(d)) {
                                fresh.add(d);
                            }
                        }
                        int usedBefore = given.size();
                        try (Tensor h = backend.allocate((long) rows * hDim); Tensor e = backend.allocate((long) rows * vDim)) {
                            backend.upload(rng.gaussian(rows * hDim), 0, h, 0, rows * hDim);
                            backend.upload(rng.gaussian(rows * vDim), 0, e, 0, rows * vDim);
                            backend.seen.clear();
                            grads.accumulate(h, e, rows, dom);
                        }
                        assertEquals(1, backend.seen.size(), rng + " " + spec);
                        DomainSegments s = backend.seen.get(0);
                        assertEquals(usedBefore, s.firstFresh(), rng + " " + spec + " round " + round + " batch " + batch);
                        Set<Integer> freshSeen = new HashSet<>();
                        for (int slot : s.segmentDomains()) {
                            if (slot >= s.firstFresh()) {
                                freshSeen.add(grads.domainOfSlot(slot));
                            }
                        }
                        assertEquals(fresh, freshSeen, rng + " " + spec + " round " + round + " batch " + batch);
                        given.addAll(fresh);
                    }
                    if (round % 2 == 0) {
                        float[] p = new float[grads.slots()];
                        java.util.Arrays.fill(p, 1f / Math.max(1, p.length));
                        grads.gramTimesPThenReset(p);
                    } else {
                        grads.reset();
                    }
                }
            }
        }
    }
}
