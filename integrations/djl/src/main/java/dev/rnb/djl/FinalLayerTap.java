package dev.rnb.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Stands in for the model's final {@link Linear} while R&amp;B runs: it runs
 * the Linear unchanged and, on a training forward pass, keeps the Linear's
 * input H and output Z. When asked to read the logits' gradient it returns
 * Z + D, where D is a zero array that requires a gradient: D changes no
 * value, and after the backward pass D's gradient is DJL's own gradient of
 * the loss with respect to the logits.
 *
 * <p>Saving and loading go straight to the Linear, so a model saved while
 * the tap is installed has the same parameter file as the model without it.
 */
final class FinalLayerTap extends AbstractBlock {
    private static final byte VERSION = 1;

    /** One training forward pass: H (..., hidden), Z (..., vocab), and D (the shape of Z; null if not asked for). */
    record Capture(NDArray input, NDArray logits, NDArray logitsLeaf) {}

    private final SequentialBlock parent;
    private final Linear linear;
    private final boolean readGradient;
    private Capture last;
    private int forwardsSinceTake;
    private long extraNanos;

    private FinalLayerTap(SequentialBlock parent, Linear linear, boolean readGradient) {
        super(VERSION);
        this.parent = parent;
        this.readGradient = readGradient;
        this.linear = addChildBlock("Linear", linear);
        if (linear.isInitialized()) {
            inputShapes = linear.getInputShapes();
        }
    }

    /**
     * Puts a tap in place of the model's final layer: the last block of the
     * root SequentialBlock, descending into a last block that is itself a
     * SequentialBlock, must be a plain {@link Linear}.
     *
     * @param readGradient whether to add D, whose gradient is the logits' gradient
     * @throws IllegalArgumentException naming what was found and what is needed
     */
    static FinalLayerTap install(Block root, boolean readGradient) {
        if (!(root instanceof SequentialBlock)) {
            throw notLinear(root, "the model's block");
        }
        SequentialBlock parent = (SequentialBlock) root;
        String path = "";
        while (true) {
            if (parent.getChildren().isEmpty()) {
                throw new IllegalArgumentException("rnb needs the model's final layer to be an " + Linear.class.getName()
                        + " but the SequentialBlock " + (path.isEmpty() ? "of the model" : path) + " is empty");
            }
            int lastIndex = parent.getChildren().size() - 1;
            Block last = parent.getChildren().valueAt(lastIndex);
            path = path + (path.isEmpty() ? "" : "/") + parent.getChildren().keyAt(lastIndex);
            if (last instanceof SequentialBlock) {
                parent = (SequentialBlock) last;
            } else if (last instanceof FinalLayerTap) {
                throw new IllegalStateException("the model's final layer is already tapped by another RnbTrainingListener");
            } else if (last.getClass() == Linear.class) {
                FinalLayerTap tap = new FinalLayerTap(parent, (Linear) last, readGradient);
                parent.replaceLastBlock(tap);
                return tap;
            } else {
                throw notLinear(last, "its last block " + path);
            }
        }
    }

    private static IllegalArgumentException notLinear(Block found, String where) {
        return new IllegalArgumentException("rnb needs the model's final layer to be a plain " + Linear.class.getName()
                + " (logits Z = H W^T + b) as the last block of a SequentialBlock, but " + where + " is a "
                + found.getClass().getName() + ". Make the output projection a Linear at the end of a SequentialBlock "
                + "and move what follows it (e.g. a softmax) into the loss.");
    }

    /** Puts the Linear back where the tap was. */
    void uninstall() {
        parent.replaceLastBlock(linear);
    }

    Linear linear() {
        return linear;
    }

    /**
     * The last training forward pass, once: at most one per batch is allowed
     * (several would mean several devices, or a forward pass the listener
     * did not see).
     */
    Capture take() {
        if (forwardsSinceTake != 1) {
            throw new IllegalStateException("rnb's DJL listener expects exactly one training forward pass per batch, "
                    + "on one device; saw " + forwardsSinceTake);
        }
        forwardsSinceTake = 0;
        Capture c = last;
        last = null;
        return c;
    }

    /** Nanoseconds spent creating D and adding it, over all forward passes so far. */
    long extraNanos() {
        return extraNanos;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList out = linear.forward(parameterStore, inputs, training, params);
        if (!training) {
            return out;
        }
        NDArray logits = out.singletonOrThrow();
        forwardsSinceTake++;
        if (!readGradient) {
            last = new Capture(inputs.singletonOrThrow(), logits, null);
            return out;
        }
        long start = System.nanoTime();
        NDArray leaf = logits.zerosLike();
        leaf.setRequiresGradient(true);
        NDArray tapped = logits.add(leaf);
        last = new Capture(inputs.singletonOrThrow(), logits, leaf);
        extraNanos += System.nanoTime() - start;
        return new NDList(tapped);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... shapes) {
        linear.initialize(manager, dataType, shapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return linear.getOutputShapes(inputs);
    }

    @Override
    public void saveParameters(DataOutputStream os) throws IOException {
        linear.saveParameters(os);
    }

    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws IOException, ai.djl.MalformedModelException {
        linear.loadParameters(manager, is);
    }
}
