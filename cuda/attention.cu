// attention.cu - causal multi-head self-attention, forward and backward.
//
// Layouts (ModelOps): qkv is (B*T) x 3C with rows [q | k | v], head h owning
// columns h*hs .. h*hs+hs-1 of each part; att and dpreatt are (B, NH, T, T);
// out / dout are (B*T) x C. R = B*NH*T (query or key) rows in all three kernels.
//
// Contracts (cuda/KERNELS.md), every kernel: block (256,1,1), grid (ceil(R/8),1,1),
// one warp per row (b, h, t); a warp past R exits whole.
//   rnb_attention_forward(out, att, qkv, B, T, C, NH)
//     lanes stride the keys t2 <= t: scores q.k/sqrt(hs) into att's row, warp max
//     and sum, normalise in place (entries t2 > t set to 0), __syncwarp, then
//     lanes stride the head dimension: out[t, i] = sum_t2 att[t2] v[t2, i].
//   rnb_attention_backward_query(dqkv, dpreatt, dout, qkv, att, B, T, C, NH)
//     a query row t: datt[t2] = <dout_t, v_t2> (kept in dpreatt's row),
//     dpreatt[t2] = att[t2] (datt[t2] - sum_j att[j] datt[j]) (0 past t),
//     __syncwarp, dq_t += sum_t2 dpreatt[t2] k_t2 / sqrt(hs).
//   rnb_attention_backward_key(dqkv, dpreatt, dout, qkv, att, B, T, C, NH)
//     a key/value row t2 (after the query kernel): dk_t2 += sum_{t >= t2}
//     dpreatt[t][t2] q_t / sqrt(hs), dv_t2 += sum_{t >= t2} att[t][t2] dout_t.
// Splitting the backward by query and by key gives every float of dqkv one
// owner: no atomics, deterministic.
#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_attention_forward(float* __restrict__ out, float* __restrict__ att, const float* __restrict__ qkv,
                      int B, int T, int C, int NH) {
    const int lane = (int)threadIdx.x % 32;
    const long long row = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= (long long)B * NH * T) return;
    const int t = (int)(row % T);
    const int h = (int)((row / T) % NH);
    const long long b = row / ((long long)T * NH);
    const int hs = C / NH;
    const float scale = rsqrtf((float)hs);
    const long long C3 = 3LL * C;
    const float* q = qkv + (b * T + t) * C3 + (long long)h * hs;
    float* a = att + row * T;
    float max = -INFINITY;
    for (int t2 = lane; t2 <= t; t2 += 32) {
        const float* k = qkv + (b * T + t2) * C3 + C + (long long)h * hs;
        float dot = 0.0f;
        for (int i = 0; i < hs; i++) dot += q[i] * k[i];
        dot *= scale;
        a[t2] = dot;
        max = fmaxf(max, dot);
    }
    max = rnb_warp_max(max);
    float sum = 0.0f;
    for (int t2 = lane; t2 <= t; t2 += 32) {
        const float e = expf(a[t2] - max);
        a[t2] = e;
        sum += e;
    }
    const float inv = 1.0f / rnb_warp_sum(sum);
    for (int t2 = lane; t2 < T; t2 += 32) a[t2] = t2 <= t ? a[t2] * inv : 0.0f;
    __syncwarp();
    float* o = out + (b * T + t) * C + (long long)h * hs;
    for (int i = lane; i < hs; i += 32) {
        float acc = 0.0f;
        for (int t2 = 0; t2 <= t; t2++) acc += a[t2] * qkv[(b * T + t2) * C3 + 2LL * C + (long long)h * hs + i];
        o[i] = acc;
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_attention_backward_query(float* __restrict__ dqkv, float* __restrict__ dpreatt, const float* __restrict__ dout,
                             const float* __restrict__ qkv, const float* __restrict__ att, int B, int T, int C, int NH) {
    const int lane = (int)threadIdx.x % 32;
    const long long row = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= (long long)B * NH * T) return;
    const int t = (int)(row % T);
    const int h = (int)((row / T) % NH);
    const long long b = row / ((long long)T * NH);
    const int hs = C / NH;
    const float scale = rsqrtf((float)hs);
    const long long C3 = 3LL * C;
    const float* a = att + row * T;
    float* dp = dpreatt + row * T;
    const float* d = dout + (b * T + t) * C + (long long)h * hs;
    float dot = 0.0f;
    for (int t2 = lane; t2 <= t; t2 += 32) {
        const float* v = qkv + (b * T + t2) * C3 + 2LL * C + (long long)h * hs;
        float s = 0.0f;
        for (int i = 0; i < hs; i++) s += d[i] * v[i];
        dp[t2] = s;
        dot += a[t2] * s;
    }
    dot = rnb_warp_sum(dot);
    for (int t2 = lane; t2 < T; t2 += 32) dp[t2] = t2 <= t ? a[t2] * (dp[t2] - dot) : 0.0f;
    __syncwarp();
    float* dq = dqkv + (b * T + t) * C3 + (long long)h * hs;
    for (int i = lane; i < hs; i += 32) {
        float acc = 0.0f;
        for (int t2 = 0; t2 <= t; t2++) acc += dp[t2] * qkv[(b * T + t2) * C3 + C + (long long)h * hs + i];
        dq[i] += acc * scale;
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_attention_backward_key(float* __restrict__ dqkv, const float* __restrict__ dpreatt, const float* __restrict__ dout,
                           const float* __restrict__ qkv, const float* __restrict__ att, int B, int T, int C, int NH) {
    const int lane = (int)threadIdx.x % 32;
    const long long row = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (row >= (long long)B * NH * T) return;
    const int t2 = (int)(row % T);
    const int h = (int)((row / T) % NH);
    const long long b = row / ((long long)T * NH);
    const int hs = C / NH;
    const float scale = rsqrtf((float)hs);
    const long long C3 = 3LL * C;
    const long long bh = row - t2;  // (b, h, 0) row of att / dpreatt
    float* dk = dqkv + (b * T + t2) * C3 + C + (long long)h * hs;
    float* dv = dk + C;
    for (int i = lane; i < hs; i += 32) {
        float ak = 0.0f, av = 0.0f;
        for (int t = t2; t < T; t++) {
            const long long at = (bh + t) * T + t2;
            ak += dpreatt[at] * qkv[(b * T + t) * C3 + (long long)h * hs + i];
            av += att[at] * dout[(b * T + t) * C + (long long)h * hs + i];
        }
        dk[i] += ak * scale;
        dv[i] += av;
    }
}
