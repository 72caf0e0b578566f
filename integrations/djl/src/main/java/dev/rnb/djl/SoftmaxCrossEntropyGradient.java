package dev.rnb.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The gradient of DJL's {@code SoftmaxCrossEntropyLoss} (sparse labels,
 * classes on the last axis, from logits: the defaults) with respect to its
 * logits, computed exactly instead of read from autograd: the loss is
 * {@code weight * mean over rows of -log softmax(Z)[y]}, so
 * {@code dL/dZ = weight * (softmax(Z) - onehot(y)) / rows}.
 */
final class SoftmaxCrossEntropyGradient {
    private SoftmaxCrossEntropyGradient() {}

    /**
     * @param logits Z, shape (..., vocab)
     * @param labels the class of every row, shape (...) or (..., 1), any integer or float type
     * @param weight the loss's weight (1 unless the loss was built with another)
     * @return dL/dZ, float32, the shape of Z
     */
    static NDArray of(NDArray logits, NDArray labels, float weight) {
        long vocab = logits.getShape().tail();
        long rows = logits.size() / vocab;
        if (labels.size() != rows) {
            throw new IllegalArgumentException("logits " + logits.getShape() + " need one label per row (" + rows
                    + "), got labels " + labels.getShape());
        }
        NDArray onehot = labels.toType(DataType.INT64, false).reshape(logits.getShape().slice(0, logits.getShape().dimension() - 1))
                .oneHot(Math.toIntExact(vocab), DataType.FLOAT32);
        return logits.toType(DataType.FLOAT32, false).softmax(-1).sub(onehot).muli(weight / (double) rows);
    }
}
