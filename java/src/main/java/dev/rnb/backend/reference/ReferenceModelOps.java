package dev.rnb.backend.reference;

import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.reference.HeapTensor.of;

/** {@link ModelOps} on heap tensors: {@link ReferenceModel}'s loops, float32 or float64 alike. */
final class ReferenceModelOps implements ModelOps {

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        ReferenceModel.encoderForward(of(out), of(tokens), of(wte), of(wpe), B, T, C);
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        ReferenceModel.encoderBackward(of(dwte), of(dwpe), of(dout), of(tokens), B, T, C);
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        ReferenceModel.layerNormForward(of(out), of(mean), of(rstd), of(inp), of(weight), of(bias), N, C);
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                  Tensor mean, Tensor rstd, int N, int C) {
        ReferenceModel.layerNormBackward(of(dinp), of(dweight), of(dbias), of(dout), of(inp), of(weight), of(mean), of(rstd), N, C);
    }

    @Override
    public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        ReferenceModel.biasAdd(of(out), of(bias), N, OC);
    }

    @Override
    public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        ReferenceModel.biasBackward(of(dbias), of(dout), N, OC);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        ReferenceModel.attentionForward(of(out), of(att), of(qkv), B, T, C, NH);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        ReferenceModel.attentionBackward(of(dqkv), of(dpreatt), of(dout), of(qkv), of(att), B, T, C, NH);
    }

    @Override
    public void geluForward(Tensor out, Tensor inp, long n) {
        ReferenceModel.geluForward(of(out), of(inp), n);
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        ReferenceModel.geluBackward(of(dinp), of(inp), of(dout), n);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b, long n) {
        ReferenceModel.add(of(out), of(a), of(b), n);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        ReferenceModel.crossEntropy(of(losses), of(lossSum), dlogits == null ? null : of(dlogits), of(logits), of(targets), of(weights), N, V);
    }

    @Override
    public void squaredNorm(Tensor out, Tensor x, long n) {
        ReferenceModel.squaredNorm(of(out), of(x), n);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        ReferenceModel.adamw(of(params), of(grads), of(m), of(v), n, of(normSq), maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }
}
