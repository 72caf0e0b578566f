package dev.rnb.backend.reference;

import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.reference.HeapTensor.of;

/**
 * The model operations of {@link dev.rnb.backend.ModelOps} as obvious loops
 * with double accumulation (llm.c's train_gpt2.c, restated). Element access
 * goes through {@link HeapTensor#get}/{@link HeapTensor#set}, so the same code
 * runs on float32 tensors (the oracle) and float64 tensors (gradient checks).
 * Each operation unwraps its heap tensors and runs the loop of the same name.
 */
final class ReferenceModel implements ModelOps {
    static final double LN_EPS = 1e-5;
    private static final double GELU_SCALE = Math.sqrt(2.0 / Math.PI);

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        encoderForward(of(out), of(tokens), of(wte), of(wpe), B, T, C);
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        encoderBackward(of(dwte), of(dwpe), of(dout), of(tokens), B, T, C);
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        layerNormForward(of(out), of(mean), of(rstd), of(inp), of(weight), of(bias), N, C);
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                  Tensor mean, Tensor rstd, int N, int C) {
        layerNormBackward(of(dinp), of(dweight), of(dbias), of(dout), of(inp), of(weight), of(mean), of(rstd), N, C);
    }

    @Override
    public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        biasAdd(of(out), of(bias), N, OC);
    }

    @Override
    public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        biasBackward(of(dbias), of(dout), N, OC);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        attentionForward(of(out), of(att), of(qkv), B, T, C, NH);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        attentionBackward(of(dqkv), of(dpreatt), of(dout), of(qkv), of(att), B, T, C, NH);
    }

    @Override
    public void geluForward(Tensor out, Tensor inp, long n) {
        geluForward(of(out), of(inp), n);
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        geluBackward(of(dinp), of(inp), of(dout), n);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b, long n) {
        add(of(out), of(a), of(b), n);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        crossEntropy(of(losses), of(lossSum), dlogits == null ? null : of(dlogits), of(logits), of(targets), of(weights), N, V);
    }

    @Override
    public void squaredNorm(Tensor out, Tensor x, long n) {
        squaredNorm(of(out), of(x), n);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        adamw(of(params), of(grads), of(m), of(v), n, of(normSq), maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }

    // ---------------------------------------------------------------- the loops, on heap tensors

    private static void encoderForward(HeapTensor out, HeapTensor tokens, HeapTensor wte, HeapTensor wpe, int B, int T, int C) {
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                long n = (long) b * T + t;
                long tok = token(tokens, n);
                for (int c = 0; c < C; c++) {
                    out.set(n * C + c, wte.get(tok * C + c) + wpe.get((long) t * C + c));
                }
            }
        }
    }

    private static void encoderBackward(HeapTensor dwte, HeapTensor dwpe, HeapTensor dout, HeapTensor tokens, int B, int T, int C) {
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                long n = (long) b * T + t;
                long tok = token(tokens, n);
                for (int c = 0; c < C; c++) {
                    double d = dout.get(n * C + c);
                    dwte.add(tok * C + c, d);
                    dwpe.add((long) t * C + c, d);
                }
            }
        }
    }

    private static long token(HeapTensor tokens, long n) {
        return (long) tokens.get(n);
    }

    private static void layerNormForward(HeapTensor out, HeapTensor mean, HeapTensor rstd, HeapTensor inp,
                                 HeapTensor weight, HeapTensor bias, int N, int C) {
        for (long n = 0; n < N; n++) {
            double m = 0;
            for (int c = 0; c < C; c++) m += inp.get(n * C + c);
            m /= C;
            double var = 0;
            for (int c = 0; c < C; c++) {
                double d = inp.get(n * C + c) - m;
                var += d * d;
            }
            var /= C;
            double s = 1.0 / Math.sqrt(var + LN_EPS);
            for (int c = 0; c < C; c++) {
                out.set(n * C + c, (inp.get(n * C + c) - m) * s * weight.get(c) + bias.get(c));
            }
            mean.set(n, m);
            rstd.set(n, s);
        }
    }

    private static void layerNormBackward(HeapTensor dinp, HeapTensor dweight, HeapTensor dbias, HeapTensor dout, HeapTensor inp,
                                  HeapTensor weight, HeapTensor mean, HeapTensor rstd, int N, int C) {
        double[] dw = new double[C], db = new double[C];
        for (long n = 0; n < N; n++) {
            double m = mean.get(n), s = rstd.get(n);
            double dnormMean = 0, dnormNormMean = 0;
            for (int c = 0; c < C; c++) {
                double norm = (inp.get(n * C + c) - m) * s;
                double dnorm = weight.get(c) * dout.get(n * C + c);
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean /= C;
            dnormNormMean /= C;
            for (int c = 0; c < C; c++) {
                double norm = (inp.get(n * C + c) - m) * s;
                double d = dout.get(n * C + c);
                double dnorm = weight.get(c) * d;
                db[c] += d;
                dw[c] += norm * d;
                dinp.add(n * C + c, (dnorm - dnormMean - norm * dnormNormMean) * s);
            }
        }
        for (int c = 0; c < C; c++) {
            dweight.add(c, dw[c]);
            dbias.add(c, db[c]);
        }
    }

    private static void biasAdd(HeapTensor out, HeapTensor bias, int N, int OC) {
        for (long n = 0; n < N; n++) {
            for (int o = 0; o < OC; o++) {
                out.add(n * OC + o, bias.get(o));
            }
        }
    }

    private static void biasBackward(HeapTensor dbias, HeapTensor dout, int N, int OC) {
        for (int o = 0; o < OC; o++) {
            double sum = 0;
            for (long n = 0; n < N; n++) sum += dout.get(n * OC + o);
            dbias.add(o, sum);
        }
    }

    private static void attentionForward(HeapTensor out, HeapTensor att, HeapTensor qkv, int B, int T, int C, int NH) {
        int hs = C / NH;
        double scale = 1.0 / Math.sqrt(hs);
        long C3 = 3L * C;
        double[] row = new double[T];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    long q = ((long) b * T + t) * C3 + (long) h * hs;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t2 = 0; t2 <= t; t2++) {
                        long k = ((long) b * T + t2) * C3 + C + (long) h * hs;
                        double dot = 0;
                        for (int i = 0; i < hs; i++) dot += qkv.get(q + i) * qkv.get(k + i);
                        row[t2] = dot * scale;
                        max = Math.max(max, row[t2]);
                    }
                    double sum = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        row[t2] = Math.exp(row[t2] - max);
                        sum += row[t2];
                    }
                    long a = (((long) b * NH + h) * T + t) * T;
                    for (int t2 = 0; t2 < T; t2++) {
                        att.set(a + t2, t2 <= t ? row[t2] / sum : 0.0);
                    }
                    long o = ((long) b * T + t) * C + (long) h * hs;
                    for (int i = 0; i < hs; i++) {
                        double acc = 0;
                        for (int t2 = 0; t2 <= t; t2++) {
                            long v = ((long) b * T + t2) * C3 + 2L * C + (long) h * hs;
                            acc += att.get(a + t2) * qkv.get(v + i);
                        }
                        out.set(o + i, acc);
                    }
                }
            }
        }
    }

    private static void attentionBackward(HeapTensor dqkv, HeapTensor dpreatt, HeapTensor dout, HeapTensor qkv, HeapTensor att,
                                  int B, int T, int C, int NH) {
        int hs = C / NH;
        double scale = 1.0 / Math.sqrt(hs);
        long C3 = 3L * C;
        double[] datt = new double[T];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    long a = (((long) b * NH + h) * T + t) * T;
                    long o = ((long) b * T + t) * C + (long) h * hs;
                    long q = ((long) b * T + t) * C3 + (long) h * hs;
                    // datt[t2] = <dout_t, v_t2>; dv_t2 += att[t][t2] * dout_t
                    double dot = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        long v = ((long) b * T + t2) * C3 + 2L * C + (long) h * hs;
                        double d = 0;
                        for (int i = 0; i < hs; i++) {
                            d += dout.get(o + i) * qkv.get(v + i);
                            dqkv.add(v + i, att.get(a + t2) * dout.get(o + i));
                        }
                        datt[t2] = d;
                        dot += att.get(a + t2) * d;
                    }
                    // softmax backward, then the scaled dot products
                    for (int t2 = 0; t2 < T; t2++) {
                        double dp = t2 <= t ? att.get(a + t2) * (datt[t2] - dot) : 0.0;
                        dpreatt.set(a + t2, dp);
                        if (t2 > t) continue;
                        long k = ((long) b * T + t2) * C3 + C + (long) h * hs;
                        for (int i = 0; i < hs; i++) {
                            dqkv.add(q + i, qkv.get(k + i) * dp * scale);
                            dqkv.add(k + i, qkv.get(q + i) * dp * scale);
                        }
                    }
                }
            }
        }
    }

    static double gelu(double x) {
        return 0.5 * x * (1.0 + Math.tanh(GELU_SCALE * (x + 0.044715 * x * x * x)));
    }

    private static void geluForward(HeapTensor out, HeapTensor inp, long n) {
        for (long i = 0; i < n; i++) out.set(i, gelu(inp.get(i)));
    }

    private static void geluBackward(HeapTensor dinp, HeapTensor inp, HeapTensor dout, long n) {
        for (long i = 0; i < n; i++) {
            double x = inp.get(i);
            double u = GELU_SCALE * (x + 0.044715 * x * x * x);
            double th = Math.tanh(u);
            double sech2 = 1.0 - th * th;
            double grad = 0.5 * (1.0 + th) + 0.5 * x * sech2 * GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
            dinp.add(i, grad * dout.get(i));
        }
    }

    private static void add(HeapTensor out, HeapTensor a, HeapTensor b, long n) {
        for (long i = 0; i < n; i++) out.set(i, a.get(i) + b.get(i));
    }

    private static void crossEntropy(HeapTensor losses, HeapTensor lossSum, HeapTensor dlogits, HeapTensor logits,
                             HeapTensor targets, HeapTensor weights, int N, int V) {
        double total = 0;
        for (long n = 0; n < N; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < V; i++) max = Math.max(max, logits.get(n * V + i));
            double sum = 0;
            for (int i = 0; i < V; i++) sum += Math.exp(logits.get(n * V + i) - max);
            int target = (int) targets.get(n);
            double w = weights.get(n);
            double logp = logits.get(n * V + target) - max - Math.log(sum);
            double loss = w == 0 ? 0.0 : -w * logp;
            losses.set(n, loss);
            total += loss;
            if (dlogits != null) {
                for (int i = 0; i < V; i++) {
                    double p = Math.exp(logits.get(n * V + i) - max) / sum;
                    dlogits.set(n * V + i, w * (p - (i == target ? 1.0 : 0.0)));
                }
            }
        }
        lossSum.set(0, total);
    }

    private static void squaredNorm(HeapTensor out, HeapTensor x, long n) {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double v = x.get(i);
            sum += v * v;
        }
        out.set(0, sum);
    }

    private static void adamw(HeapTensor params, HeapTensor grads, HeapTensor m, HeapTensor v, long n, HeapTensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        double norm = Math.sqrt(normSq.get(0));
        double clip = maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1.0;
        double c1 = 1.0 - Math.pow(beta1, t), c2 = 1.0 - Math.pow(beta2, t);
        for (long i = 0; i < n; i++) {
            double g = grads.get(i) * clip;
            double mi = beta1 * m.get(i) + (1.0 - beta1) * g;
            double vi = beta2 * v.get(i) + (1.0 - beta2) * g * g;
            m.set(i, mi);
            v.set(i, vi);
            double p = params.get(i);
            params.set(i, p - lr * ((mi / c1) / (Math.sqrt(vi / c2) + eps) + weightDecay * p));
        }
    }
}
