package dev.rnb.balance;

import dev.rnb.data.DomainProportions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An all-reduce among N replicas that are threads of one process, each with
 * its own balancer and backend: every replica deposits its touched slots
 * ({@link DomainGradients#touched()}), all wait at a barrier, and each forms
 * the union of the deposited domains ({@link TouchedUnion}) and sums every
 * domain's blocks in replica order (double accumulation), so every replica
 * gets the same bits, and the same bits as a sum of dense k x d buffers
 * (an absent replica's +0.0 changes no sum). O(touched x dimension) per round,
 * summed over the replicas; nothing O(k). It is the simulation of
 * data parallelism the tests run, and the contract a NCCL or MPI reducer
 * implements (docs/scaling/data-parallel.md).
 */
public final class InProcessReducer {
    private final int replicas;
    private final CyclicBarrier barrier;
    private final long timeoutSeconds;
    private final TouchedSlots[] deposits;
    /** Replica 0's p' of the round (immutable, so handed to every replica as it is: in one process nothing need be copied). */
    private DomainProportions firstProportions;

    private InProcessReducer(int replicas, long timeoutSeconds) {
        this.replicas = replicas;
        this.barrier = new CyclicBarrier(replicas);
        this.timeoutSeconds = timeoutSeconds;
        this.deposits = new TouchedSlots[replicas];
    }

    /**
     * One reducer per replica, index = rank; give each to one replica's balancer.
     *
     * @param timeoutSeconds how long a replica waits for the others before the round fails on every replica
     */
    public static List<GradientReducer> group(int replicas, long timeoutSeconds) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be >= 1, got " + replicas);
        }
        if (timeoutSeconds < 1) {
            throw new IllegalArgumentException("timeout must be >= 1 second, got " + timeoutSeconds);
        }
        InProcessReducer shared = new InProcessReducer(replicas, timeoutSeconds);
        List<GradientReducer> members = new ArrayList<>(replicas);
        for (int rank = 0; rank < replicas; rank++) {
            members.add(shared.new Member(rank));
        }
        return List.copyOf(members);
    }

    private void await(int rank) {
        try {
            barrier.await(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("replica " + rank + " interrupted in all-reduce", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("all-reduce abandoned: a replica failed or did not arrive within "
                    + timeoutSeconds + " s (replica " + rank + " of " + replicas + ")", e);
        }
    }

    private void reduce(int rank, DomainGradients local) {
        deposits[rank] = local.touched();
        await(rank);
        TouchedSlots sum;
        try {
            checkShapes();
            sum = TouchedUnion.sum(deposits);
        } finally {
            // No replica deposits the next round before every replica has read this one.
            await(rank);
        }
        local.restoreTouched(sum);
    }

    private DomainProportions broadcast(int rank, DomainProportions proportions) {
        if (rank == 0) {
            firstProportions = proportions;
        }
        await(rank);
        DomainProportions out = firstProportions;
        await(rank);   // replica 0 overwrites the slot only after every replica has read it
        if (out.domains() != proportions.domains()) {
            throw new IllegalStateException("replicas disagree on the number of domains: replica 0 has "
                    + out.domains() + ", replica " + rank + " has " + proportions.domains());
        }
        return out;
    }

    /** Every replica runs the same check on the same deposits, so all fail together or none does. */
    private void checkShapes() {
        TouchedSlots first = deposits[0];
        for (int r = 1; r < replicas; r++) {
            if (deposits[r].domainCount() != first.domainCount() || deposits[r].dimension() != first.dimension()) {
                throw new IllegalStateException("replicas disagree on the accumulators' shape: replica 0 has "
                        + first.domainCount() + " domains x " + first.dimension() + " floats, replica " + r + " has "
                        + deposits[r].domainCount() + " domains x " + deposits[r].dimension() + " floats");
            }
        }
    }

    private final class Member implements GradientReducer {
        private final int rank;

        Member(int rank) {
            this.rank = rank;
        }

        @Override
        public void allReduce(DomainGradients local) {
            reduce(rank, local);
        }

        @Override
        public DomainProportions broadcastProportions(DomainProportions proportions) {
            return broadcast(rank, proportions);
        }

        @Override
        public int replicas() {
            return replicas;
        }
    }
}
