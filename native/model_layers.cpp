// Embedding, LayerNorm, bias, GELU and residual kernels of the byte-level GPT
// (contracts in rnb_model.h / dev.rnb.backend.ModelOps). Parallel loops own
// disjoint outputs, so results do not depend on the thread count.
#include "rnb_model.h"

#include <cmath>

void rnb_model_encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe, int B, int T, int C) {
#pragma omp parallel for schedule(static) if ((int64_t)B * T * C >= rnb_parallel_min_work)
    for (int64_t n = 0; n < (int64_t)B * T; n++) {
        const int64_t t = n % T;
        const float* e = wte + (int64_t)tokens[n] * C;
        const float* p = wpe + t * C;
        float* o = out + n * C;
        for (int c = 0; c < C; c++) o[c] = e[c] + p[c];
    }
}

void rnb_model_encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens, int B, int T, int C) {
    // A thread owns a column c: rows are added in order, no two threads write one float.
#pragma omp parallel for schedule(static) if ((int64_t)B * T * C >= rnb_parallel_min_work)
    for (int c = 0; c < C; c++) {
        for (int64_t n = 0; n < (int64_t)B * T; n++) {
            const float d = dout[n * C + c];
            dwte[(int64_t)tokens[n] * C + c] += d;
            dwpe[(n % T) * C + c] += d;
        }
    }
}

void rnb_model_layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                                 const float* bias, int N, int C) {
#pragma omp parallel for schedule(static) if ((int64_t)N * C >= rnb_parallel_min_work)
    for (int n = 0; n < N; n++) {
        const float* x = inp + (int64_t)n * C;
        double m = 0;
        for (int c = 0; c < C; c++) m += x[c];
        m /= C;
        double var = 0;
        for (int c = 0; c < C; c++) {
            const double d = x[c] - m;
            var += d * d;
        }
        var /= C;
        const float s = (float)(1.0 / std::sqrt(var + 1e-5));
        const float mf = (float)m;
        float* o = out + (int64_t)n * C;
        for (int c = 0; c < C; c++) o[c] = (x[c] - mf) * s * weight[c] + bias[c];
        mean[n] = mf;
        rstd[n] = s;
    }
}

void rnb_model_layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                  const float* weight, const float* mean, const float* rstd, int N, int C) {
#pragma omp parallel if ((int64_t)N * C >= rnb_parallel_min_work)
    {
#pragma omp for schedule(static) nowait
        for (int n = 0; n < N; n++) {
            const float* x = inp + (int64_t)n * C;
            const float* d = dout + (int64_t)n * C;
            const float m = mean[n], s = rstd[n];
            double dm = 0, dnm = 0;
            for (int c = 0; c < C; c++) {
                const float norm = (x[c] - m) * s;
                const float dnorm = weight[c] * d[c];
                dm += dnorm;
                dnm += (double)dnorm * norm;
            }
            const float dmf = (float)(dm / C), dnmf = (float)(dnm / C);
            float* di = dinp + (int64_t)n * C;
            for (int c = 0; c < C; c++) {
                const float norm = (x[c] - m) * s;
                di[c] += (weight[c] * d[c] - dmf - norm * dnmf) * s;
            }
        }
#pragma omp for schedule(static)
        for (int c = 0; c < C; c++) {
            double dw = 0, db = 0;
            for (int n = 0; n < N; n++) {
                const float dv = dout[(int64_t)n * C + c];
                db += dv;
                dw += (double)dv * ((inp[(int64_t)n * C + c] - mean[n]) * rstd[n]);
            }
            dweight[c] += (float)dw;
            dbias[c] += (float)db;
        }
    }
}

void rnb_model_bias_add(float* out, const float* bias, int N, int OC) {
#pragma omp parallel for schedule(static) if ((int64_t)N * OC >= rnb_parallel_min_work)
    for (int n = 0; n < N; n++) {
        float* o = out + (int64_t)n * OC;
        for (int c = 0; c < OC; c++) o[c] += bias[c];
    }
}

void rnb_model_bias_backward(float* dbias, const float* dout, int N, int OC) {
#pragma omp parallel for schedule(static) if ((int64_t)N * OC >= rnb_parallel_min_work)
    for (int c = 0; c < OC; c++) {
        double sum = 0;
        for (int n = 0; n < N; n++) sum += dout[(int64_t)n * OC + c];
        dbias[c] += (float)sum;
    }
}

static inline float rnb_gelu_u(float x) { return 0.7978845608028654f * (x + 0.044715f * x * x * x); }

void rnb_model_gelu_forward(float* out, const float* inp, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) {
        const float x = inp[i];
        out[i] = 0.5f * x * (1.0f + std::tanh(rnb_gelu_u(x)));
    }
}

void rnb_model_gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) {
        const float x = inp[i];
        const float th = std::tanh(rnb_gelu_u(x));
        const float sech2 = 1.0f - th * th;
        const float grad = 0.5f * (1.0f + th) + 0.5f * x * sech2 * 0.7978845608028654f * (1.0f + 3.0f * 0.044715f * x * x);
        dinp[i] += grad * dout[i];
    }
}

void rnb_model_add(float* out, const float* a, const float* b, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}
