// Standalone check of the CPU CUDA emulator on its self-test kernels. Built by
// CMake with -DRNB_EMULATOR_CHECKS=ON (or -DRNB_EMULATOR_TSAN=ON, which CI runs
// through ctest with blocks concurrent):
//
//   cmake -S . -B /tmp/emu -DRNB_EMULATOR_CHECKS=ON && cmake --build /tmp/emu && /tmp/emu/rnb_emu_selftest
//
// Under ThreadSanitizer the deliberately racy kernels are left out (their races
// are the point; TSan would report them). Exit status 0 when every check passes.
#include "emulator_api.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

int g_failures = 0;
std::mt19937 g_rng(12345);

void report(bool ok, const std::string& what) {
  std::printf("%s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
  if (!ok) ++g_failures;
}

// Launches and returns the emulator's status; message in `err`.
int launch(const char* k, int gx, int bx, int dyn, std::vector<void*> args, std::string* err = nullptr,
           int gy = 1, int gz = 1, int by = 1, int bz = 1) {
  char buf[2048] = {0};
  int rc = rnb_emu_launch(k, gx, gy, gz, bx, by, bz, dyn, args.data(), buf, sizeof buf);
  if (err) *err = buf;
  if (rc != 0 && !err) std::printf("      launch error: %s\n", buf);
  return rc;
}

// Small integers as floats, so that sums are exact in any order.
std::vector<float> random_floats(int n) {
  std::uniform_int_distribution<int> d(-8, 8);
  std::vector<float> v((size_t)n);
  for (float& x : v) x = (float)d(g_rng);
  return v;
}
std::vector<int> random_ints(int n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int> v((size_t)n);
  for (int& x : v) x = d(g_rng);
  return v;
}
int ceil_div(int a, int b) { return (a + b - 1) / b; }
std::string cfg(int n, int block) {
  return "n=" + std::to_string(n) + " block=" + std::to_string(block);
}

void test_block_reverse(int n, int block) {
  std::vector<float> in = random_floats(n), out((size_t)n, -99.0f);
  const float* pin = in.data();
  float* pout = out.data();
  int rc = launch("rnb_selftest_block_reverse", ceil_div(n, block), block, 0, {&pin, &pout, &n});
  bool ok = rc == 0;
  for (int base = 0; ok && base < n; base += block) {
    int len = std::min(block, n - base);
    for (int t = 0; t < len; ++t) ok = ok && out[(size_t)(base + t)] == in[(size_t)(base + len - 1 - t)];
  }
  report(ok, "block_reverse " + cfg(n, block));
}

void test_block_sum(int n, int block) {
  std::vector<float> in = random_floats(n);
  int grid = ceil_div(n, block);
  std::vector<float> out((size_t)grid, -99.0f);
  const float* pin = in.data();
  float* pout = out.data();
  int rc = launch("rnb_selftest_block_sum", grid, block, 0, {&pin, &pout, &n});
  bool ok = rc == 0;
  for (int b = 0; ok && b < grid; ++b) {
    float s = 0;
    for (int i = b * block; i < std::min(n, (b + 1) * block); ++i) s += in[(size_t)i];
    ok = out[(size_t)b] == s;
  }
  report(ok, "block_sum " + cfg(n, block));
}

void test_warp_allreduce(int grid, int block) {
  int n = grid * block;
  std::vector<float> in = random_floats(n), out((size_t)n, -99.0f);
  const float* pin = in.data();
  float* pout = out.data();
  int rc = launch("rnb_selftest_warp_allreduce", grid, block, 0, {&pin, &pout});
  bool ok = rc == 0;
  for (int w = 0; ok && w < n / 32; ++w) {
    float s = 0;
    for (int l = 0; l < 32; ++l) s += in[(size_t)(w * 32 + l)];
    for (int l = 0; l < 32; ++l) ok = ok && out[(size_t)(w * 32 + l)] == s;
  }
  report(ok, "warp_allreduce grid=" + std::to_string(grid) + " block=" + std::to_string(block));
}

void test_histogram(int n, int block, int grid, int nbins) {
  std::vector<int> in = random_ints(n, 0, nbins - 1), bins((size_t)nbins, 0), ref((size_t)nbins, 0);
  for (int x : in) ++ref[(size_t)x];
  const int* pin = in.data();
  int* pbins = bins.data();
  int rc = launch("rnb_selftest_histogram", grid, block, 0, {&pin, &n, &pbins, &nbins});
  report(rc == 0 && bins == ref, "histogram " + cfg(n, block) + " grid=" + std::to_string(grid) +
                                     " nbins=" + std::to_string(nbins));
}

void test_atomics(int n, int block) {
  std::vector<float> x = random_floats(n);
  std::vector<int> v = random_ints(n, -1000000, 1000000);
  float sum = 0, refSum = 0;
  int maxOut = INT_MIN, casCount = 0, refMax = INT_MIN;
  for (int i = 0; i < n; ++i) {
    refSum += x[(size_t)i];
    refMax = std::max(refMax, v[(size_t)i]);
  }
  const float* px = x.data();
  const int* pv = v.data();
  float* psum = &sum;
  int* pmax = &maxOut;
  int* pcas = &casCount;
  int rc = launch("rnb_selftest_atomics", ceil_div(n, block), block, 0, {&px, &pv, &n, &psum, &pmax, &pcas});
  report(rc == 0 && sum == refSum && maxOut == refMax && casCount == n,
         "atomics (float atomicAdd, atomicMax, atomicCAS loop) " + cfg(n, block));
}

void test_scan(int n, int block, int grid) {
  std::vector<int> in = random_ints(n, -50, 50), out((size_t)n, -99);
  const int* pin = in.data();
  int* pout = out.data();
  int dyn = 2 * block * (int)sizeof(int);
  int rc = launch("rnb_selftest_dynamic_shared_scan", grid, block, dyn, {&pin, &pout, &n});
  bool ok = rc == 0;
  int seg = ceil_div(n, grid);
  for (int b = 0; ok && b < grid; ++b) {
    int acc = 0;
    for (int i = b * seg; i < std::min(n, (b + 1) * seg); ++i) {
      acc += in[(size_t)i];
      ok = ok && out[(size_t)i] == acc;
    }
  }
  report(ok, "dynamic_shared_scan " + cfg(n, block) + " grid=" + std::to_string(grid));
}

void expect_error(const char* what, int rc, const std::string& err, const char* needle) {
  bool ok = rc != 0 && err.find(needle) != std::string::npos;
  report(ok, std::string("error reported: ") + what);
  std::printf("      -> %s\n", err.empty() ? "(no message)" : err.c_str());
}

void test_errors() {
  std::string err;
  std::vector<float> in(4096), out(4096);
  const float* pin = in.data();
  float* pout = out.data();
  int n = 4096;
  expect_error("block of 2048 threads",
               launch("rnb_selftest_block_reverse", 2, 2048, 0, {&pin, &pout, &n}, &err), err,
               "block dimensions exceed");
  expect_error("block 32x32x2",
               launch("rnb_selftest_block_reverse", 2, 32, 0, {&pin, &pout, &n}, &err, 1, 1, 32, 2),
               err, "more than 1024");
  expect_error("zero grid", launch("rnb_selftest_block_reverse", 0, 32, 0, {&pin, &pout, &n}, &err),
               err, "must be >= 1");
  expect_error("unknown kernel", launch("rnb_no_such_kernel", 1, 32, 0, {}, &err), err,
               "unknown kernel");
  expect_error("dynamic shared too large",
               launch("rnb_selftest_dynamic_shared_scan", 1, 32, 1 << 20, {&pin, &pout, &n}, &err),
               err, "dynamic shared");

  const char* names[] = {"divergent __syncthreads", "half-warp shuffle vs __syncthreads (deadlock)",
                         "shuffle mask not covering active lanes", "stalled thread (watchdog)",
                         "shuffle reading an exited lane", "lanes in different shuffles"};
  const char* needles[] = {"divergent __syncthreads", "deadlock", "does not cover", "watchdog",
                           "not active", "divergent warp operation"};
  int old = rnb_emu_set_watchdog_ms(300);
  for (int mode = 0; mode < 6; ++mode) {
    long long spin = 1500LL * 1000 * 1000;  // 1.5 s of clock64() (ns in the emulator)
    auto t0 = std::chrono::steady_clock::now();
    int rc = launch("rnb_selftest_misuse", 2, 128, 0, {&mode, &spin, &pout}, &err);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect_error(names[mode], rc, err, needles[mode]);
    if (mode == 3) std::printf("      (returned after %.2f s; watchdog set to 0.3 s, stall 1.5 s)\n", s);
  }
  rnb_emu_set_watchdog_ms(old);
  // The emulator must still work after failed launches.
  test_block_reverse(1000, 128);
}

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#else
constexpr bool kThreadSanitizer = false;
#endif

// Shared memory another block wrote must read as poison (NaN), in either mode.
void test_stale_shared(int blocks, int block) {
  std::vector<float> in = random_floats(block), out((size_t)(blocks * block), 0.0f);
  const float* pin = in.data();
  float* pout = out.data();
  int rc = launch("rnb_selftest_stale_shared", blocks, block, 0, {&pin, &pout});
  bool ok = rc == 0;
  for (int b = 0; ok && b < blocks; ++b) {
    for (int t = 0; t < block; ++t) {
      float v = out[(size_t)(b * block + t)];
      ok = ok && (b == 0 ? v == in[(size_t)t] : std::isnan(v));
    }
  }
  report(ok, "stale shared memory reads as NaN in blocks 1.." + std::to_string(blocks - 1));
}

// A non-atomic update of one global from every block: right whenever blocks
// run one at a time (any order), wrong with concurrent blocks.
int lost_update_launches(int concurrent, int runs) {
  int previous = rnb_emu_set_concurrent_blocks(concurrent);
  int blocks = 16, block = 32, wrong = 0;
  std::vector<float> in((size_t)(blocks * block), 1.0f);
  const float* pin = in.data();
  unsigned delay = 1000000;  // 1 ms between the read and the write
  for (int r = 0; r < runs; ++r) {
    float total = 0.0f;
    float* ptotal = &total;
    launch("rnb_selftest_unsynchronised_total", blocks, block, 0, {&pin, &ptotal, &delay});
    wrong += total != (float)(blocks * block);
  }
  rnb_emu_set_concurrent_blocks(previous);
  return wrong;
}

void test_concurrent_blocks_expose_races() {
  int sequential = lost_update_launches(1, 5), concurrent = lost_update_launches(4, 5);
  report(sequential == 0 && concurrent > 0,
         "missing atomicAdd between blocks: wrong in " + std::to_string(sequential) +
             " of 5 sequential launches, " + std::to_string(concurrent) + " of 5 concurrent");
}

// Informational: the racy reverse kernel (no barrier) should go wrong often.
void race_demo() {
  int n = 100000, block = 256, wrong = 0, runs = 20;
  std::vector<float> in = random_floats(n), out((size_t)n);
  for (int i = 0; i < n; ++i) in[(size_t)i] = (float)i;
  const float* pin = in.data();
  float* pout = out.data();
  for (int r = 0; r < runs; ++r) {
    launch("rnb_selftest_reverse_racy", ceil_div(n, block), block, 0, {&pin, &pout, &n});
    bool ok = true;
    for (int base = 0; ok && base < n; base += block) {
      int len = std::min(block, n - base);
      for (int t = 0; t < len; ++t) ok = ok && out[(size_t)(base + t)] == in[(size_t)(base + len - 1 - t)];
    }
    wrong += !ok;
  }
  std::printf("INFO  racy reverse (no __syncthreads): wrong result in %d of %d launches\n", wrong, runs);
}

double time_launch_ms(const char* k, int grid, int block, std::vector<void*> args, int reps) {
  launch(k, grid, block, 0, args);  // warm-up (grows the pool)
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) launch(k, grid, block, 0, args);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / reps;
}

void timing() {
  int grid = 64, block = 256, iters = 2;
  std::vector<float> data((size_t)grid * block);
  float* p = data.data();
  int zero = 0;
  double empty = time_launch_ms("rnb_selftest_barrier_bench", 1, 1, {&p, &zero}, 200);
  double b0 = time_launch_ms("rnb_selftest_barrier_bench", grid, block, {&p, &zero}, 10);
  double b4 = time_launch_ms("rnb_selftest_barrier_bench", grid, block, {&p, &iters}, 10);
  int n = grid * block;
  std::vector<float> in = random_floats(n), out((size_t)grid);
  const float* pin = in.data();
  float* pout = out.data();
  double bs = time_launch_ms("rnb_selftest_block_sum", grid, block, {&pin, &pout, &n}, 10);
  std::printf("TIME  launch 1x1 (fixed overhead): %.3f ms\n", empty);
  std::printf("TIME  grid 64 x block 256, no barrier: %.2f ms (%.1f us per block)\n", b0, b0 * 1000 / grid);
  std::printf("TIME  grid 64 x block 256, 4 __syncthreads: %.2f ms (%.1f us per block)\n", b4, b4 * 1000 / grid);
  std::printf("TIME  block_sum grid 64 x block 256 (10 shuffles, 1 barrier): %.2f ms\n", bs);
}

}  // namespace

// `--racy within-block|between-blocks`: one launch of a deliberately racy
// kernel and nothing else, for ctest to check that ThreadSanitizer reports it
// (between blocks: only when blocks run concurrently).
int launch_racy(const char* which) {
  int blocks = 16, block = 32, n = blocks * block;
  std::vector<float> in((size_t)n, 1.0f), out((size_t)n);
  const float* pin = in.data();
  float* pout = out.data();
  float total = 0.0f;
  float* ptotal = &total;
  unsigned delay = 1000000;
  int rc = std::strcmp(which, "within-block") == 0
               ? launch("rnb_selftest_reverse_racy", blocks, block, 0, {&pin, &pout, &n})
               : launch("rnb_selftest_unsynchronised_total", blocks, block, 0, {&pin, &ptotal, &delay});
  std::printf("racy %s: launch status %d\n", which, rc);
  return rc;
}

int main(int argc, char** argv) {
  if (argc > 2 && std::strcmp(argv[1], "--racy") == 0) return launch_racy(argv[2]);
  bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::printf("emulator kernels registered: %d\n", rnb_emu_kernel_count());
  for (int i = 0; i < rnb_emu_kernel_count(); ++i) std::printf("  %s\n", rnb_emu_kernel_name(i));

  for (int block : {32, 100, 256, 1024}) test_block_reverse(5003, block);
  for (int block : {32, 64, 256, 1024}) test_block_sum(4999, block);
  test_warp_allreduce(7, 96);
  test_warp_allreduce(3, 1024);
  test_histogram(10007, 256, 13, 200);
  test_histogram(777, 96, 3, 7);
  test_atomics(3001, 128);
  test_scan(5003, 256, 1);
  test_scan(9001, 128, 7);
  test_scan(33, 100, 2);
  test_errors();
  test_stale_shared(5, 64);
  int previous = rnb_emu_set_concurrent_blocks(4);
  test_stale_shared(9, 128);
  rnb_emu_set_concurrent_blocks(previous);
  if (kThreadSanitizer) {
    std::printf("SKIP  deliberately racy kernels (ThreadSanitizer would report their races)\n");
  } else {
    test_concurrent_blocks_expose_races();
    race_demo();
  }
  if (!quick) timing();
  std::printf("%s: %d failure(s)\n", g_failures ? "FAILED" : "ALL PASSED", g_failures);
  return g_failures ? 1 : 0;
}
