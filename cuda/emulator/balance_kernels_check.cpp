// Standalone check of the Balance kernels (cuda/domain_grad.cu, gram.cu,
// gram_vector.cu, balance_update.cu) under the CPU CUDA emulator, against plain
// double-precision C++ loops. Build and run from the repository root:
//
//   cmake -S . -B /tmp/emu -DRNB_EMULATOR_CHECKS=ON && cmake --build /tmp/emu && /tmp/emu/rnb_balance_kernels_check
//
// (CI runs it under ThreadSanitizer with blocks concurrent: .ci/run.)
//
// Every kernel is launched through rnb_emu_launch with exactly the block/grid of
// cuda/KERNELS.md. Inputs are fresh random numbers; written-only outputs are
// poisoned with NaN first, accumulated outputs (G, vOut) start from random
// values. Tolerances:
//   * element-wise, condition-aware: |got - ref| <= 1e-5 * (|init| + sum |terms|)
//     (the sum of absolute values of everything added into that element), so
//     cancellation does not make the bound meaningless;
//   * per output, relative norm ||got - ref|| / ||ref|| < 1e-4;
//   * balance_update: status exact; on a skip next is left unwritten;
//     otherwise |next - ref| <= (1e-5 + 4e-7 |lambda|) * ref + 1e-30 (the logits
//     carry ~|lambda| ulp(1) of float rounding), and sum(next) == 1 +- 1e-5.
// Exit status 0 when every case passes, 1 otherwise.
#include "emulator_api.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

std::mt19937_64 rng(20240611);
int g_failures = 0;
int g_cases = 0;
const float kNaN = std::numeric_limits<float>::quiet_NaN();

float urand(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
int irand(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

std::vector<float> randvec(size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::vector<float> v(n);
    for (auto& x : v) x = urand(lo, hi);
    return v;
}

// Launch; returns true on success (prints the emulator's message otherwise).
bool launch(const char* name, int gx, int gy, int gz, int bx, int by, int bz,
            std::vector<void*> args, std::string* errOut = nullptr) {
    char err[512] = {0};
    int rc = rnb_emu_launch(name, gx, gy, gz, bx, by, bz, 0, args.data(), err, sizeof err);
    if (rc != 0) {
        if (errOut) *errOut = err;
        else std::printf("    launch of %s failed (rc %d): %s\n", name, rc, err);
        return false;
    }
    return true;
}

int ceil_div(int a, int b) { return (a + b - 1) / b; }

struct ErrStats {
    double worstElem = 0.0;  // max |got-ref| / bound-scale
    double num = 0.0, den = 0.0;
    bool nonFinite = false;
    void add(float got, double ref, double absScale) {
        if (!std::isfinite(got)) { nonFinite = true; return; }
        double e = std::fabs((double)got - ref);
        double s = absScale > 0 ? absScale : 1e-30;
        worstElem = std::max(worstElem, e / s);
        num += e * e;
        den += ref * ref;
    }
    double relNorm() const { return den > 0 ? std::sqrt(num / den) : std::sqrt(num); }
};

void report(const std::string& what, const ErrStats& st, double elemTol = 1e-5, double normTol = 1e-4) {
    ++g_cases;
    bool ok = !st.nonFinite && st.worstElem <= elemTol && st.relNorm() < normTol;
    if (!ok) ++g_failures;
    std::printf("  %-4s %-62s elem %.2e  relnorm %.2e%s\n", ok ? "ok" : "FAIL", what.c_str(),
                st.worstElem, st.relNorm(), st.nonFinite ? "  (non-finite output)" : "");
}

void check(bool cond, const std::string& what) {
    ++g_cases;
    if (!cond) ++g_failures;
    std::printf("  %-4s %s\n", cond ? "ok" : "FAIL", what.c_str());
}

// ------------------------------------------------------------ domain_grad
// segLens: lengths of the segments (all >= 1); k domains; extraRows rows of E/H
// that no segment uses.
void test_domain_grad(int h, int v, int k, const std::vector<int>& segLens, int extraRows) {
    const int S = (int)segLens.size();
    const int N = std::accumulate(segLens.begin(), segLens.end(), 0);
    const int R = N + extraRows;
    const size_t d = (size_t)v * h;
    std::vector<float> E = randvec((size_t)R * v), H = randvec((size_t)R * h);
    std::vector<int> perm(R);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<int> rowOrder(perm.begin(), perm.begin() + N);
    if (rowOrder.empty()) rowOrder.push_back(0);  // never read; keeps data() valid
    std::vector<int> segStart(S + 1, 0);
    for (int s = 0; s < S; ++s) segStart[s + 1] = segStart[s] + segLens[s];
    std::vector<int> doms(k);
    std::iota(doms.begin(), doms.end(), 0);
    std::shuffle(doms.begin(), doms.end(), rng);
    std::vector<int> segDomain(doms.begin(), doms.begin() + S);
    if (segDomain.empty()) segDomain.push_back(0);
    std::vector<float> G0 = randvec((size_t)k * d, -2.0f, 2.0f);
    std::vector<float> G = G0;

    const float* pH = H.data();
    const float* pE = E.data();
    const int* pRow = rowOrder.data();
    const int* pSeg = segStart.data();
    const int* pDom = segDomain.data();
    int numSegments = S, hh = h, vv = v;
    float* pG = G.data();
    char what[160];
    std::snprintf(what, sizeof what, "domain_grad h=%d v=%d k=%d segs=%d rows=%d", h, v, k, S, N);
    std::string err;
    bool ran = launch("rnb_domain_grad_accumulate", ceil_div(h, 64), ceil_div(v, 64), S, 16, 16, 1,
                      {&pH, &pE, &pRow, &pSeg, &pDom, &numSegments, &hh, &vv, &pG}, &err);
    if (!ran) {
        if (S == 0) {
            // CUDA rejects a zero grid dimension too; the caller must skip the launch.
            check(G == G0, std::string(what) + ": zero-size grid rejected (" + err + "), G untouched");
        } else {
            check(false, std::string(what) + ": launch failed: " + err);
        }
        return;
    }
    ErrStats st;
    std::vector<char> touched(k, 0);
    for (int s = 0; s < S; ++s) {
        const int dom = segDomain[s];
        touched[dom] = 1;
        for (int i = 0; i < v; ++i) {
            for (int j = 0; j < h; ++j) {
                const size_t o = (size_t)dom * d + (size_t)i * h + j;
                double ref = G0[o], absSum = std::fabs(G0[o]);
                for (int p = segStart[s]; p < segStart[s + 1]; ++p) {
                    const int t = rowOrder[p];
                    const double term = (double)E[(size_t)t * v + i] * H[(size_t)t * h + j];
                    ref += term;
                    absSum += std::fabs(term);
                }
                st.add(G[o], ref, absSum);
            }
        }
    }
    bool untouchedOk = true;
    for (int dom = 0; dom < k; ++dom) {
        if (touched[dom]) continue;
        if (std::memcmp(&G[(size_t)dom * d], &G0[(size_t)dom * d], d * sizeof(float)) != 0) untouchedOk = false;
    }
    report(what, st);
    if (!untouchedOk) check(false, std::string(what) + ": a domain without segment was modified");
    if (S == 0) check(G == G0, std::string(what) + ": empty launch left G untouched");
}

// ------------------------------------------------------------ gram
void test_gram(int k, int d, double absentFrac) {
    std::vector<float> X = randvec((size_t)k * d);
    std::vector<float> scale(k);
    for (auto& s : scale) s = (urand(0, 1) < absentFrac) ? 0.0f : urand(0.01f, 1.0f);
    std::vector<float> out((size_t)k * k, kNaN);
    const float* pX = X.data();
    const float* pS = scale.data();
    int kk = k, dd = d;
    float* pO = out.data();
    char what[160];
    std::snprintf(what, sizeof what, "gram k=%d d=%d", k, d);
    if (!launch("rnb_gram", ceil_div(k, 64), ceil_div(k, 64), 1, 16, 16, 1, {&pX, &pS, &kk, &dd, &pO})) {
        check(false, what);
        return;
    }
    ErrStats st;
    for (int i = 0; i < k; ++i) {
        for (int j = 0; j < k; ++j) {
            double sum = 0, absSum = 0;
            for (int c = 0; c < d; ++c) {
                const double t = (double)X[(size_t)i * d + c] * X[(size_t)j * d + c];
                sum += t;
                absSum += std::fabs(t);
            }
            const double sij = (double)scale[i] * scale[j];
            st.add(out[(size_t)i * k + j], sij * sum, std::fabs(sij) * absSum);
        }
    }
    report(what, st);
}

// ------------------------------------------------------------ scaled_domain_sum / dots
void test_domain_sum(int k, int d, int rowsPerSlice) {
    std::vector<float> X = randvec((size_t)k * d);
    std::vector<float> p = randvec(k, 0.0f, 1.0f), scale = randvec(k, 0.01f, 1.0f);
    if (k > 2) scale[irand(0, k - 1)] = 0.0f;  // an absent domain
    std::vector<float> v0 = randvec(d), vOut = v0;  // accumulator: starts random
    const float* pX = X.data();
    const float* pP = p.data();
    const float* pS = scale.data();
    int kk = k, dd = d, rows = rowsPerSlice;
    float* pV = vOut.data();
    char what[160];
    std::snprintf(what, sizeof what, "scaled_domain_sum k=%d d=%d rowsPerSlice=%d", k, d, rowsPerSlice);
    if (!launch("rnb_scaled_domain_sum", ceil_div(d, 256), ceil_div(k, rowsPerSlice), 1, 256, 1, 1,
                {&pX, &pP, &pS, &kk, &dd, &rows, &pV})) {
        check(false, what);
        return;
    }
    ErrStats st;
    for (int c = 0; c < d; ++c) {
        double ref = v0[c], absSum = std::fabs(v0[c]);
        for (int j = 0; j < k; ++j) {
            const double t = (double)(p[j] * scale[j]) * X[(size_t)j * d + c];
            ref += t;
            absSum += std::fabs(t);
        }
        st.add(vOut[c], ref, absSum);
    }
    report(what, st);
}

void test_domain_dots(int k, int d, int colsPerSplit) {
    std::vector<float> X = randvec((size_t)k * d);
    std::vector<float> scale = randvec(k, 0.01f, 1.0f);
    if (k > 2) scale[irand(0, k - 1)] = 0.0f;
    std::vector<float> vec = randvec(d);
    const int splits = ceil_div(d, colsPerSplit);
    std::vector<float> out(k, splits > 1 ? 0.0f : kNaN);  // several splits accumulate into zeroed out
    const float* pX = X.data();
    const float* pS = scale.data();
    const float* pVec = vec.data();
    int kk = k, dd = d, cols = colsPerSplit;
    float* pO = out.data();
    char what[160];
    std::snprintf(what, sizeof what, "scaled_domain_dots k=%d d=%d colsPerSplit=%d", k, d, colsPerSplit);
    if (!launch("rnb_scaled_domain_dots", ceil_div(k, 8), splits, 1, 256, 1, 1, {&pX, &pS, &pVec, &kk, &dd, &cols, &pO})) {
        check(false, what);
        return;
    }
    ErrStats st;
    for (int i = 0; i < k; ++i) {
        double sum = 0, absSum = 0;
        for (int c = 0; c < d; ++c) {
            const double t = (double)X[(size_t)i * d + c] * vec[c];
            sum += t;
            absSum += std::fabs(t);
        }
        st.add(out[i], scale[i] * sum, std::fabs((double)scale[i]) * absSum);
    }
    report(what, st);
}

// G p end to end: v = X^T (p .* scale); out = scale .* (X v) == diag(s) X X^T diag(s) p.
void test_gp_chain(int k, int d, int rowsPerSlice) {
    std::vector<float> X = randvec((size_t)k * d);
    std::vector<float> scale = randvec(k, 0.01f, 1.0f), p = randvec(k, 0.0f, 1.0f);
    std::vector<float> v(d, 0.0f), out(k, kNaN), gram((size_t)k * k, kNaN);
    const float* pX = X.data();
    const float* pP = p.data();
    const float* pS = scale.data();
    const float* pVc = v.data();
    int kk = k, dd = d, rows = rowsPerSlice, cols = d;
    float* pV = v.data();
    float* pO = out.data();
    float* pGr = gram.data();
    bool ok = launch("rnb_scaled_domain_sum", ceil_div(d, 256), ceil_div(k, rowsPerSlice), 1, 256, 1, 1,
                     {&pX, &pP, &pS, &kk, &dd, &rows, &pV}) &&
              launch("rnb_scaled_domain_dots", ceil_div(k, 8), 1, 1, 256, 1, 1, {&pX, &pS, &pVc, &kk, &dd, &cols, &pO}) &&
              launch("rnb_gram", ceil_div(k, 64), ceil_div(k, 64), 1, 16, 16, 1, {&pX, &pS, &kk, &dd, &pGr});
    char what[160];
    std::snprintf(what, sizeof what, "G p chain (sum+dots vs gram*p) k=%d d=%d", k, d);
    if (!ok) { check(false, what); return; }
    ErrStats st;
    for (int i = 0; i < k; ++i) {
        double ref = 0, refAbs = 0;
        for (int j = 0; j < k; ++j) {
            double g = 0, gAbs = 0;
            for (int c = 0; c < d; ++c) {
                const double t = (double)X[(size_t)i * d + c] * X[(size_t)j * d + c];
                g += t;
                gAbs += std::fabs(t);
            }
            ref += (double)scale[i] * scale[j] * g * p[j];
            refAbs += std::fabs((double)scale[i] * scale[j] * p[j]) * gAbs;
        }
        st.add(out[i], ref, refAbs);
    }
    report(what, st);
    ErrStats st2;  // the kernel Gram matrix times p, in double
    for (int i = 0; i < k; ++i) {
        double viaGram = 0, a = 0;
        for (int j = 0; j < k; ++j) { viaGram += (double)gram[(size_t)i * k + j] * p[j]; a += std::fabs((double)gram[(size_t)i * k + j] * p[j]); }
        st2.add(out[i], viaGram, a + 1e-30);
    }
    report(std::string(what) + " [agreement]", st2, 1e-4, 1e-4);
}

// ------------------------------------------------------------ balance_update
// Double-precision reference with the contract of cuda/KERNELS.md. Returns status.
int ref_balance(const std::vector<float>& gp, const std::vector<float>& scale, const std::vector<float>& cur,
                double lambda, std::vector<double>& next) {
    const int k = (int)gp.size();
    next.assign(cur.begin(), cur.end());
    bool present = false, bad = false;
    double ss = 0;
    for (int i = 0; i < k; ++i) {
        if (scale[i] == 0.0f) continue;
        present = true;
        if (!std::isfinite(gp[i])) bad = true;
        else ss += (double)gp[i] * gp[i];
    }
    if (!present) return 3;
    if (bad) return 1;
    if (ss == 0) return 2;
    const double norm = std::sqrt(ss);
    std::vector<double> logit(k);
    double m = -INFINITY;
    for (int i = 0; i < k; ++i) {
        logit[i] = scale[i] == 0.0f ? 0.0 : lambda * gp[i] / norm;
        m = std::max(m, logit[i]);
    }
    double z = 0;
    for (int i = 0; i < k; ++i) { next[i] = std::exp(logit[i] - m); z += next[i]; }
    for (int i = 0; i < k; ++i) next[i] /= z;
    return 0;
}

struct BalanceCase {
    std::string name;
    std::vector<float> gp, scale, cur;
    float lambda;
    int expectStatus;
};

// The four update kernels in order on `blocks` blocks of 256 threads.
void run_balance(const BalanceCase& c, int blocks) {
    const int k = (int)c.gp.size();
    std::vector<float> next(std::max(k, 1), kNaN);
    std::vector<float> partial(8 * blocks, kNaN);  // written before read: poisoned
    int status = -1;
    const float* pG = c.gp.empty() ? nullptr : c.gp.data();
    const float* pS = c.scale.empty() ? nullptr : c.scale.data();
    float lambda = c.lambda;
    int kk = k;
    float* pN = next.data();
    float* pP = partial.data();
    int* pSt = &status;
    char what[200];
    std::snprintf(what, sizeof what, "balance_update %s (k=%d blocks=%d lambda=%g)", c.name.c_str(), k, blocks, c.lambda);
    bool ran = launch("rnb_balance_stats", blocks, 1, 1, 256, 1, 1, {&pG, &pS, &kk, &pP}) &&
               launch("rnb_balance_norm", blocks, 1, 1, 256, 1, 1, {&pG, &pS, &kk, &pP, &pSt}) &&
               launch("rnb_balance_exp", blocks, 1, 1, 256, 1, 1, {&pG, &pS, &lambda, &kk, &pP, &pN}) &&
               launch("rnb_balance_normalise", blocks, 1, 1, 256, 1, 1, {&kk, &pP, &pN, &pSt});
    if (!ran) {
        check(false, what);
        return;
    }
    std::vector<double> ref;
    const int refStatus = ref_balance(c.gp, c.scale, c.cur, c.lambda, ref);
    ++g_cases;
    bool ok = status == refStatus && status == c.expectStatus;
    double worst = 0, sum = 0;
    if (ok && status != 0) {  // a skip leaves next unwritten (the caller keeps its current proportions)
        for (int i = 0; i < k; ++i) ok = ok && std::isnan(next[i]);
    } else if (ok) {
        const double tol = 1e-5 + 4e-7 * std::fabs((double)c.lambda);
        for (int i = 0; i < k; ++i) {
            if (!std::isfinite(next[i])) { ok = false; worst = INFINITY; break; }
            const double e = std::fabs(next[i] - ref[i]) / (ref[i] + 1e-30);
            if (std::fabs(next[i] - ref[i]) > tol * ref[i] + 1e-30) ok = false;
            worst = std::max(worst, e);
            sum += next[i];
        }
        if (std::fabs(sum - 1.0) > 1e-5) ok = false;
    }
    if (!ok) ++g_failures;
    std::printf("  %-4s %-70s status %d (want %d)", ok ? "ok" : "FAIL", what, status, c.expectStatus);
    if (status == 0) std::printf("  max rel err %.2e, sum-1 %.1e", worst, sum - 1.0);
    std::printf("\n");
}

BalanceCase make_balance(const std::string& name, int k, float lambda, double absentFrac, int expect) {
    BalanceCase c;
    c.name = name;
    c.lambda = lambda;
    c.expectStatus = expect;
    c.gp = randvec(k, -3.0f, 3.0f);
    c.scale.resize(k);
    for (auto& s : c.scale) s = urand(0, 1) < absentFrac ? 0.0f : 1.0f / (float)irand(1, 5000);
    c.cur = randvec(k, 0.0f, 1.0f);
    double z = 0;
    for (float x : c.cur) z += x;
    for (auto& x : c.cur) x = (float)(x / z);
    return c;
}

void test_balance() {
    std::vector<BalanceCase> cases;
    for (int k : {1, 2, 7, 1000, 1025, 3001}) {
        BalanceCase c = make_balance("finite", k, 4.0f, 0.0, 0);
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("finite, ~30% absent", 2500, 5.0f, 0.3, 0);
        c.scale[0] = 1.0f;  // at least one present
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("NaN in a present domain", 1500, 5.0f, 0.2, 1);
        c.scale[1234] = 0.5f;
        c.gp[1234] = kNaN;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("+Inf in a present domain", 40, 5.0f, 0.0, 1);
        c.gp[39] = INFINITY;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("-Inf in a present domain", 3000, 5.0f, 0.0, 1);
        c.gp[2047] = -INFINITY;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("NaN+Inf in ABSENT domains (ignored)", 1100, 5.0f, 0.0, 0);
        c.scale[3] = 0.0f;
        c.gp[3] = kNaN;
        c.scale[1099] = 0.0f;
        c.gp[1099] = INFINITY;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("all present gp zero (absent gp nonzero)", 1300, 5.0f, 0.0, 2);
        for (int i = 0; i < 1300; ++i) c.gp[i] = (i % 3 == 0) ? 0.0f : -0.0f;
        c.scale[17] = 0.0f;
        c.gp[17] = 2.5f;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("no present domain", 1500, 5.0f, 1.1, 3);
        c.gp[5] = kNaN;  // absent: must not turn this into status 1
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("k = 0", 0, 5.0f, 0.0, 3);
        cases.push_back(c);
    }
    cases.push_back(make_balance("lambda = 0 (uniform)", 2049, 0.0f, 0.1, 0));
    cases.back().scale[0] = 1.0f;
    cases.push_back(make_balance("large lambda", 3000, 200.0f, 0.0, 0));
    cases.push_back(make_balance("very large lambda", 64, 1e4f, 0.0, 0));
    cases.push_back(make_balance("negative lambda", 777, -8.0f, 0.0, 0));
    {
        BalanceCase c = make_balance("tiny gp (1e-30, scaled norm)", 900, 3.0f, 0.0, 0);
        for (auto& g : c.gp) g *= 1e-30f;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("huge gp (1e30, scaled norm)", 900, 3.0f, 0.0, 0);
        for (auto& g : c.gp) g *= 1e30f;
        cases.push_back(c);
    }
    {
        BalanceCase c = make_balance("single nonzero present gp", 500, 6.0f, 0.0, 0);
        for (auto& g : c.gp) g = 0.0f;
        c.gp[250] = -1e-3f;
        cases.push_back(c);
    }
    cases.push_back(make_balance("k = 10^5", 100000, 30.0f, 0.05, 0));
    cases.back().scale[0] = 1.0f;
    // The grid the cuda backend launches (CudaBalanceOps): min(256, ceil(k / 1024)) blocks.
    for (const auto& c : cases) {
#if defined(__SANITIZE_THREAD__)
        // Under ThreadSanitizer (CI) k = 10^5 on its 98 blocks took 84 s of the check's 408 on 2 cores
        // (2026-12-02); the races it could show, blocks writing partials side by side, the 256-block launch
        // below shows too. The plain emulator build runs it.
        if (c.gp.size() >= 100000) {
            std::printf("  skip balance_update %s under ThreadSanitizer (CI time)\n", c.name.c_str());
            continue;
        }
#endif
        run_balance(c, std::min(256, std::max(1, ceil_div((int)c.gp.size(), 1024))));
    }
    // Other grids (any 1..256 works; grid-stride loops, partials of many blocks).
    for (int blocks : {1, 3, 7}) {
        run_balance(cases[4], blocks);   // k = 1025
        run_balance(cases[6], blocks);   // ~30% absent
        run_balance(cases[7], blocks);   // NaN in present
        run_balance(cases[11], blocks);  // all zero
        run_balance(cases[12], blocks);  // no present domain
    }
    run_balance(cases[6], 256);  // the most blocks: every lane of the partials' reduction takes 8
#if defined(__SANITIZE_THREAD__)
    // Under ThreadSanitizer (CI) a 256-block launch takes 2 to 4 minutes on 2 cores; one suffices there for the
    // races, and the NaN status path runs at 1, 3 and 7 blocks above. The plain emulator build runs both.
    std::printf("  skip balance_update %s at 256 blocks under ThreadSanitizer (CI time)\n", cases[7].name.c_str());
#else
    run_balance(cases[7], 256);
#endif
}

}  // namespace

int main() {
    std::printf("registered kernels: %d\n", rnb_emu_kernel_count());

    std::printf("rnb_domain_grad_accumulate\n");
    test_domain_grad(1, 1, 1, {1}, 0);                   // k = 1, smallest
    test_domain_grad(64, 64, 1, {16, }, 3);              // exact tile, one chunk
    test_domain_grad(17, 33, 5, {5, 1, 40}, 7);          // ragged h, v, segments
    test_domain_grad(65, 63, 3, {17}, 2);                // one past / one short of a tile
    test_domain_grad(300, 257, 9, {123, 1, 77, 16}, 11); // several tiles, ragged everywhere
    test_domain_grad(130, 5, 2, {300}, 0);               // long segment, thin v
    test_domain_grad(3, 200, 4, {2, 31}, 5);             // thin h
    test_domain_grad(40, 40, 6, {}, 10);                 // N = 0: numSegments = 0

    std::printf("rnb_gram\n");
    for (auto kd : std::vector<std::pair<int, int>>{{1, 1}, {1, 300}, {5, 17}, {64, 64}, {65, 1000}, {130, 33}, {200, 7}})
        test_gram(kd.first, kd.second, 0.2);

    std::printf("rnb_scaled_domain_sum\n");
    test_domain_sum(1, 1, 1);
    test_domain_sum(1, 300, 1);
    test_domain_sum(7, 255, 3);
    test_domain_sum(7, 257, 1);
    test_domain_sum(40, 1000, 40);
    test_domain_sum(40, 1000, 13);
    test_domain_sum(300, 513, 1);
    test_domain_sum(700, 33, 300);  // slices longer than one 256-row chunk of weights, a ragged last one

    std::printf("rnb_scaled_domain_dots\n");
    test_domain_dots(1, 1, 1);
    test_domain_dots(1, 255, 255);
    test_domain_dots(1, 300, 32);      // 10 splits
    test_domain_dots(7, 257, 257);
    test_domain_dots(40, 1000, 1000);
    test_domain_dots(40, 1000, 96);    // ragged last split
    test_domain_dots(130, 4099, 4099);

    std::printf("G p chain\n");
    test_gp_chain(9, 777, 3);
    test_gp_chain(300, 40, 7);

    std::printf("rnb_balance_stats, _norm, _exp, _normalise\n");
    test_balance();

    std::printf("%d checks, %d failed\n", g_cases, g_failures);
    return g_failures == 0 ? 0 : 1;
}
