package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;

/**
 * The factored sketch's projections and its accumulation (LoGra-style): with
 * R_v (rv x v) and R_h (rh x h) random sign matrices, entries +-1/sqrt(rows)
 * drawn on the device from a seed, a domain's sketch is
 * S_i = R_v E_i^T H_i R_h^T (rv x rh). It is computed as (E R_v^T)^T (H R_h^T):
 * two GEMMs over the batch (rows x v x rv and rows x h x rh), then the
 * per-domain accumulation of the projected rows (rows x rv x rh), so no dense
 * v x h gradient is ever formed. &lt;S_i, S_j&gt; is an unbiased estimate of
 * &lt;g_i, g_j&gt; (estimator and variance: docs/ARCHITECTURE.md, "The sketches").
 * Not thread-safe, like its backend.
 */
final class FactoredProjection implements AutoCloseable {
    /** Mixed into R_h's seed so R_v and R_h are drawn from different hash streams. */
    private static final int HIDDEN_STREAM = 0x6A09E667;

    private final Backend backend;
    private final int hDim, vDim, rv, rh;
    private final Tensor projectV, projectH;
    private Tensor projectedE, projectedH;
    private int scratchRows;

    FactoredProjection(Backend backend, int hDim, int vDim, int rv, int rh) {
        if ((long) rv * vDim > Integer.MAX_VALUE || (long) rh * hDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("factored sketch " + rv + "x" + rh + " at v=" + vDim + " h=" + hDim
                    + ": a projection exceeds 2^31-1 entries");
        }
        this.backend = backend;
        this.hDim = hDim;
        this.vDim = vDim;
        this.rv = rv;
        this.rh = rh;
        this.projectV = backend.allocate((long) rv * vDim);
        this.projectH = backend.allocate((long) rh * hDim);
    }

    /** Draws R_v and R_h afresh from {@code seed} (a round's seed). */
    void draw(int seed) {
        backend.signProjection(projectV, rv * vDim, seed, (float) (1 / Math.sqrt(rv)));
        backend.signProjection(projectH, rh * hDim, SketchHash.hash(HIDDEN_STREAM, seed), (float) (1 / Math.sqrt(rh)));
    }

    /** sketch[dom] (rv x rh) += R_v E_s^T H_s R_h^T for every segment s of domain dom; H rows x h, E rows x v. */
    void accumulate(Tensor h, Tensor e, DomainSegments segments, Tensor sketch) {
        int rows = segments.rows();
        if (rows == 0) {
            return;
        }
        ensureScratch(rows);
        backend.gemm(false, true, rows, rv, vDim, 1f, e, vDim, projectV, vDim, 0f, projectedE, rv);
        backend.gemm(false, true, rows, rh, hDim, 1f, h, hDim, projectH, hDim, 0f, projectedH, rh);
        backend.domainGradAccumulate(projectedH, projectedE, rh, rv, segments, sketch);
    }

    private void ensureScratch(int rows) {
        if (rows <= scratchRows) {
            return;
        }
        closeScratch();
        projectedE = backend.allocate((long) rows * rv);
        projectedH = backend.allocate((long) rows * rh);
        scratchRows = rows;
    }

    private void closeScratch() {
        if (projectedE != null) {
            projectedE.close();
            projectedH.close();
        }
    }

    @Override
    public void close() {
        closeScratch();
        projectV.close();
        projectH.close();
    }
}
