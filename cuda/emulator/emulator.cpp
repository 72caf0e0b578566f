// Runtime of the CPU CUDA emulator (see cuda_emulation.h for the model).
//
// Execution: a launch runs its blocks in `nslots` block slots (1 by default;
// several with concurrent blocks). Slot s hands CUDA thread i of its blocks to
// pool worker s * nthreads + i. A slot's workers walk its blocks (every
// nslots-th of the launch's order) together: run the kernel body for block b,
// meet at the slot's end-of-block barrier (where the last one resets the
// per-block state and poisons shared memory), then go on to the slot's next
// block. So a block's threads are concurrent OS threads, the slots' blocks are
// concurrent with each other, and the launcher is woken once per launch, not
// once per block.
//
// Synchronisation: all per-block state of a slot (block barrier, warp
// barriers, warp slot arrays, live/blocked counts) is guarded by one mutex,
// BlockSlot::m; waiting threads sleep on a Gate (futex) with the mutex
// released. One lock per block is
// what makes exact deadlock detection possible: every thread waiting in any
// barrier is counted in `blocked`, and when every live thread of the block is
// blocked, nothing can ever be released, so the launch fails at once with a
// description of who waits where. The 20 s watchdog covers what that cannot
// see (a thread spinning while others wait in a barrier).
//
// Failure: the first error is recorded, waiting threads of every slot wake up
// and unwind the kernel with an AbortLaunch exception, threads still running
// continue until they reach a barrier or return, and no further blocks are
// started. A thread
// that never returns (an infinite loop with no barrier) cannot be stopped.
#include "cuda_emulation.h"
#include "emulator_api.h"
#include "registry.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <random>
#include <string>
#include <thread>
#include <vector>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

namespace rnb_emu {

thread_local ThreadCtx t_ctx = {{0, 0, 0}, {0, 0, 0}, dim3(1, 1, 1), dim3(1, 1, 1), nullptr, 0, 0, 0};

namespace {

constexpr int kMaxThreads = 1024;
constexpr int kWarp = 32;
constexpr int kDefaultWatchdogMs = 20000;
constexpr int kDefaultMaxDynamicShared = 48 * 1024;  // CUDA's limit without opt-in
constexpr int kMaxStaticShared = 48 * 1024;         // CUDA's static limit

// Thrown inside kernel code to unwind a thread once the launch has failed.
struct AbortLaunch {};

// ------------------------------------------------------------------ registry
struct KernelEntry {
  std::string name;
  Trampoline fn;
  int arity;
};
std::vector<KernelEntry>& kernels() {
  static std::vector<KernelEntry> k;  // function-local: safe during static init
  return k;
}
const KernelEntry* find_kernel(const char* name) {
  registry_anchor();
  for (const KernelEntry& k : kernels())
    if (k.name == name) return &k;
  return nullptr;
}

// ------------------------------------------------------------------ settings
int env_int(const char* name, int dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  char* end = nullptr;
  long x = std::strtol(v, &end, 10);
  return (end && *end == '\0' && x > 0 && x < INT_MAX) ? (int)x : dflt;
}
int default_watchdog_ms() { return env_int("RNB_EMU_WATCHDOG_MS", kDefaultWatchdogMs); }
std::atomic<int> g_watchdog_ms{default_watchdog_ms()};

// ------------------------------------------------------------------ gates
using Clock = std::chrono::steady_clock;

// A generation counter that threads sleep on without holding any mutex (a
// futex on Linux). Barriers count arrivals under Launch::m but wait on a Gate,
// so that opening one wakes its waiters without all of them queueing for
// Launch::m again (that convoy made a 256-thread barrier cost milliseconds).
struct Gate {
  std::atomic<uint32_t> gen{0};
#ifndef __linux__
  std::mutex m;
  std::condition_variable cv;
#endif
  uint32_t current() const { return gen.load(std::memory_order_acquire); }

  void open() {
#ifdef __linux__
    gen.fetch_add(1, std::memory_order_release);
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&gen), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr,
            nullptr, 0);
#else
    {
      std::lock_guard<std::mutex> lk(m);
      gen.fetch_add(1, std::memory_order_release);
    }
    cv.notify_all();
#endif
  }

  // Waits while gen == seen: first `spin` polls (worth it only when every CUDA
  // thread has a core), then sleeps. deadline == nullptr: no limit. Returns
  // false on timeout.
  bool wait(uint32_t seen, const Clock::time_point* deadline, int spin) {
    for (int i = 0; i < spin; ++i) {
      if (current() != seen) return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    for (;;) {
      if (current() != seen) return true;
#ifdef __linux__
      timespec ts;
      timespec* pts = nullptr;
      if (deadline) {
        const long long ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(*deadline - Clock::now()).count();
        if (ns <= 0) return current() != seen;
        ts.tv_sec = (time_t)(ns / 1000000000LL);
        ts.tv_nsec = (long)(ns % 1000000000LL);
        pts = &ts;
      }
      // Returns at once if gen != seen (no lost wake-up); EINTR/ETIMEDOUT loop.
      syscall(SYS_futex, reinterpret_cast<uint32_t*>(&gen), FUTEX_WAIT_PRIVATE, seen, pts, nullptr,
              0);
#else
      std::unique_lock<std::mutex> lk(m);
      auto opened = [&] { return current() != seen; };
      if (!deadline) {
        cv.wait(lk, opened);
      } else if (!cv.wait_until(lk, *deadline, opened)) {
        return false;
      }
#endif
    }
  }
};

// ------------------------------------------------------------------ launch state
#if defined(__linux__) && defined(PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP)
// Spins briefly before sleeping: barrier arrivals hold the lock for a few
// instructions, and a plain mutex turned 256 simultaneous arrivals into a convoy.
class BlockMutex {
 public:
  void lock() { pthread_mutex_lock(&m_); }
  void unlock() { pthread_mutex_unlock(&m_); }
  bool try_lock() { return pthread_mutex_trylock(&m_) == 0; }
 private:
  pthread_mutex_t m_ = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
};
#else
using BlockMutex = std::mutex;
#endif
struct Site {
  int kind = -1;  // WarpOpKind, or -1 for __syncthreads
  unsigned mask = 0;
  int width = 0;
  const char* file = nullptr;
  int line = 0;
  bool same(const Site& o) const {
    return kind == o.kind && mask == o.mask && width == o.width && line == o.line &&
           (file == o.file || (file && o.file && std::strcmp(file, o.file) == 0));
  }
};

const char* op_name(int kind) {
  switch (kind) {
    case kShflIdx: return "__shfl_sync";
    case kShflUp: return "__shfl_up_sync";
    case kShflDown: return "__shfl_down_sync";
    case kShflXor: return "__shfl_xor_sync";
    case kBallot: return "__ballot_sync";
    case kAny: return "__any_sync";
    case kAll: return "__all_sync";
    case kSyncWarp: return "__syncwarp";
    default: return "__syncthreads";
  }
}

struct WarpState {
  Gate gate;  // opened when the current operation completes (or the launch fails)
  uint32_t exists = 0;   // lanes that exist in the block (partial last warp)
  uint32_t live = 0;     // lanes that have not returned from the kernel
  uint32_t arrived = 0;  // lanes waiting in the current warp operation
  uint64_t gen = 0;      // completed warp operations; parity selects the slot buffer
  Site site;             // the current operation, as recorded by its first lane
  // Double-buffered exchange: operation g writes buffer g&1. Lanes read their
  // results for operation g before arriving at g+1, and g+2 (the next writer of
  // the same buffer) cannot start before g+1 completes; so one barrier per
  // operation is enough (it plays the role of the "after reading" barrier of
  // the previous operation).
  uint32_t participants[2] = {0, 0};
  uint64_t slots[2][kWarp] = {};
};

// One RNB_SHARED variable of a block: found by the address of its declaration's
// site tag, allocated at its first use in the launch, poisoned for every block.
struct SharedVar {
  const void* site;
  void* ptr;
  size_t bytes;
};

struct Launch;

// One block running: its threads are workers [index * nthreads, (index + 1) *
// nthreads) of the pool. Sequential mode has one slot; concurrent mode several,
// each running every nslots-th block of the launch's order.
struct BlockSlot {
  Launch* L = nullptr;
  int index = 0;
  BlockMutex m;
  // Per-block state, reset by the last thread at each end of block.
  int live = 0;         // threads of the block that have not returned
  int blocked = 0;      // threads waiting in some barrier and not yet released
  int barArrived = 0;   // threads waiting in __syncthreads
  Site barSite;
  Gate barGate;  // opened when __syncthreads completes (or the launch fails)
  WarpState warps[kMaxThreads / kWarp];
  // End of block.
  int finished = 0;
  bool proceed = false;  // written before endGate opens, read after
  Gate endGate;
  // The block's shared memory: dynamic (exactly dynBytes, so that ASan sees
  // overruns) and static (RNB_SHARED), both refilled with 0xFF for every block.
  unsigned char* dyn = nullptr;
  // Guarded by sharedM, not m: a lock the kernel's threads all take on entry
  // would order them for ThreadSanitizer and hide the races it should report.
  std::mutex sharedM;
  std::vector<SharedVar> shared;
  size_t sharedBytes = 0;
};

struct Launch {
  // Configuration, fixed during the launch.
  const KernelEntry* kernel = nullptr;
  void** args = nullptr;
  dim3 grid, block;
  int nthreads = 0;
  int nwarps = 0;
  uint64_t nblocks = 0;
  std::vector<uint64_t> order;  // block visiting order (empty: 0, 1, 2, ...)
  bool reverse = false;
  size_t dynBytes = 0;
  int nslots = 1;  // blocks running at once
  std::vector<std::unique_ptr<BlockSlot>> slots;  // grown on demand, reused
  int spin = 0;  // polls before sleeping in a barrier
  // End of launch.
  std::mutex doneM;
  std::condition_variable doneCv;
  int exited = 0;  // workers that are done with this launch for good
  // Outcome.
  std::atomic<bool> failed{false};  // set once; polled by waiters of every slot
  std::mutex errorM;
  std::string error;
};

Launch g_launch;  // launches are serialised by g_launch_mutex
std::mutex g_launch_mutex;

// Records the first error of the launch and wakes every waiter so that it can
// unwind. Caller holds S.m. Waiters of other slots are woken without their
// lock; they also poll `failed` (wait_gate), so none can miss it.
void fail_locked(BlockSlot& S, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void fail_locked(BlockSlot& S, const char* fmt, ...) {
  Launch& L = *S.L;
  if (L.failed) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const ThreadCtx& c = t_ctx;
  char where[160];
  if (c.launch)
    snprintf(where, sizeof where, " [detected by block (%u,%u,%u) thread (%u,%u,%u)]",
             c.block_idx.x, c.block_idx.y, c.block_idx.z, c.thread_idx.x, c.thread_idx.y, c.thread_idx.z);
  else
    where[0] = '\0';
  {
    std::lock_guard<std::mutex> lk(L.errorM);
    if (L.failed) return;
    L.error = std::string("kernel ") + L.kernel->name + ": " + msg + where;
    L.failed.store(true);
  }
  // Waiters wake, see `failed` and unwind. The end-of-block gates are left
  // alone: they must keep working so that every thread finishes its block.
  for (int i = 0; i < L.nslots; ++i) {
    BlockSlot& T = *L.slots[(size_t)i];
    T.barGate.open();
    for (int w = 0; w < L.nwarps; ++w) T.warps[w].gate.open();
  }
}

std::string describe_waiters_locked(BlockSlot& S) {
  std::string s;
  char buf[256];
  if (S.barArrived > 0) {
    snprintf(buf, sizeof buf, "%d thread(s) in __syncthreads at %s:%d", S.barArrived,
             S.barSite.file, S.barSite.line);
    s += buf;
  }
  for (int w = 0; w < S.L->nwarps; ++w) {
    const WarpState& W = S.warps[w];
    if (!W.arrived) continue;
    snprintf(buf, sizeof buf, "%swarp %d lanes 0x%08x (live 0x%08x) in %s(mask 0x%08x) at %s:%d",
             s.empty() ? "" : "; ", w, W.arrived, W.live, op_name(W.site.kind), W.site.mask,
             W.site.file, W.site.line);
    s += buf;
  }
  return s;
}

// Every live thread waits in a barrier that cannot complete. Caller holds S.m.
void check_deadlock_locked(BlockSlot& S) {
  if (!S.L->failed && S.live > 0 && S.blocked == S.live)
    fail_locked(S, "deadlock: every live thread of the block waits in a barrier that can never "
                   "complete (divergent __syncthreads or a warp operation not reached by all "
                   "active lanes): %s",
                describe_waiters_locked(S).c_str());
}

// Completes the current __syncthreads. `byArrival`: the completing thread is
// itself a participant (and so was not counted in `blocked`).
void release_block_barrier_locked(BlockSlot& S, bool byArrival) {
  S.blocked -= S.barArrived - (byArrival ? 1 : 0);
  S.barArrived = 0;
  S.barGate.open();
}

// Completes the current warp operation of W (every live lane has arrived).
void release_warp_locked(BlockSlot& S, WarpState& W, bool byArrival) {
  // The emulator synchronises whole warps, so the mask must name every lane
  // still running; lanes that do not exist or have exited need not be named.
  if ((W.site.mask & W.live) != W.live && W.site.kind != -1)
    fail_locked(S, "%s at %s:%d with mask 0x%08x does not cover the warp's active lanes "
                   "0x%08x (partial-mask warp operations are not supported)",
                op_name(W.site.kind), W.site.file, W.site.line, W.site.mask, W.live);
  unsigned buf = W.gen & 1;
  W.participants[buf] = W.arrived;
  S.blocked -= __builtin_popcount(W.arrived) - (byArrival ? 1 : 0);
  W.arrived = 0;
  ++W.gen;
  W.gate.open();
}

// Unlocks `lk` and waits for gate g to move past `seen` (read under the lock).
// Fails the launch if that takes longer than the watchdog, and throws
// AbortLaunch if the launch has failed (checked at least every 50 ms, for
// failures in other slots). Returns with the lock released.
void wait_gate(BlockSlot& S, std::unique_lock<BlockMutex>& lk, Gate& g, uint32_t seen,
               const Site& site) {
  Launch& L = *S.L;
  lk.unlock();
  const int ms = g_watchdog_ms.load(std::memory_order_relaxed);
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(ms);
  int spin = L.spin;
  for (;;) {
    const Clock::time_point slice = std::min(deadline, Clock::now() + std::chrono::milliseconds(50));
    if (g.wait(seen, &slice, spin) || L.failed.load(std::memory_order_acquire)) break;
    spin = 0;
    if (Clock::now() >= deadline) {
      lk.lock();
      if (g.current() == seen && !L.failed)
        fail_locked(S, "watchdog: %s at %s:%d waited more than %d ms; still waiting: %s",
                    op_name(site.kind), site.file, site.line, ms,
                    describe_waiters_locked(S).c_str());
      lk.unlock();
      break;
    }
  }
  if (L.failed.load(std::memory_order_acquire)) throw AbortLaunch();
}

BlockSlot& current_block(const char* what) {
  void* p = t_ctx.launch;
  if (!p) {
    fprintf(stderr, "rnb emulator: %s called outside an emulated kernel launch\n", what);
    std::abort();
  }
  return *static_cast<BlockSlot*>(p);
}

// ------------------------------------------------------------------ worker pool
struct Worker {
  std::mutex m;
  std::condition_variable cv;
  uint64_t seq = 0;  // bumped by the launcher to start one launch
  int index = 0;
};
std::vector<Worker*> g_workers;  // grown on demand, never shrunk or destroyed

void run_launch_on_this_thread(Launch& L, int worker);

void worker_main(Worker* w) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lk(w->m);
      w->cv.wait(lk, [&] { return w->seq != seen; });
      seen = w->seq;
    }
    run_launch_on_this_thread(g_launch, w->index);
  }
}

// Caller holds g_launch_mutex. Threads are detached and the Worker objects are
// leaked on purpose: the pool lives as long as the process, and joinable
// std::threads in a static destructor would call std::terminate at exit.
bool ensure_workers(int n, std::string& err) {
  while ((int)g_workers.size() < n) {
    Worker* w = new Worker;
    w->index = (int)g_workers.size();
    try {
      std::thread(worker_main, w).detach();
    } catch (const std::exception& e) {
      delete w;
      err = std::string("cannot start emulator worker thread: ") + e.what();
      return false;
    }
    g_workers.push_back(w);
  }
  return true;
}

// ------------------------------------------------------------------ per-block state
void reset_block_state_locked(BlockSlot& S) {
  const Launch& L = *S.L;
  S.live = L.nthreads;
  S.blocked = 0;
  S.barArrived = 0;
  for (int w = 0; w < L.nwarps; ++w) {
    WarpState& W = S.warps[w];
    int lanes = std::min(kWarp, L.nthreads - w * kWarp);
    W.exists = lanes == kWarp ? 0xffffffffu : ((1u << lanes) - 1u);
    W.live = W.exists;
    W.arrived = 0;
  }
  // Fresh "garbage" for every block, so that reading shared memory before
  // writing it gives NaN / -1 instead of the previous block's values.
  if (L.dynBytes) std::memset(S.dyn, 0xFF, L.dynBytes);
  for (const SharedVar& v : S.shared) std::memset(v.ptr, 0xFF, v.bytes);
}

void free_block_memory(BlockSlot& S) {
  std::free(S.dyn);
  S.dyn = nullptr;
  for (const SharedVar& v : S.shared) std::free(v.ptr);
  S.shared.clear();
  S.sharedBytes = 0;
}

uint64_t block_at(const Launch& L, uint64_t pos) {
  if (!L.order.empty()) return L.order[pos];
  return L.reverse ? L.nblocks - 1 - pos : pos;
}

void run_kernel_body(BlockSlot& S) {
  try {
    S.L->kernel->fn(S.L->args);
  } catch (const AbortLaunch&) {
    // unwound after a failure recorded elsewhere
  } catch (const std::exception& e) {
    std::lock_guard<BlockMutex> lk(S.m);
    fail_locked(S, "exception thrown by kernel code: %s", e.what());
  } catch (...) {
    std::lock_guard<BlockMutex> lk(S.m);
    fail_locked(S, "unknown exception thrown by kernel code");
  }
}

void run_launch_on_this_thread(Launch& L, int worker) {
  BlockSlot& S = *L.slots[(size_t)(worker / L.nthreads)];
  const int tid = worker % L.nthreads;
  ThreadCtx& c = t_ctx;
  const unsigned bx = L.block.x, by = L.block.y;
  c.thread_idx = {tid % bx, (tid / bx) % by, tid / (bx * by)};
  c.block_dim = L.block;
  c.grid_dim = L.grid;
  c.tid = tid;
  c.lane = tid % kWarp;
  c.warp = tid / kWarp;
  c.launch = &S;
  const uint32_t bit = 1u << c.lane;
  for (uint64_t pos = (uint64_t)S.index;; pos += (uint64_t)L.nslots) {
    const uint64_t b = block_at(L, pos);
    const uint64_t gxy = (uint64_t)L.grid.x * L.grid.y;
    c.block_idx = {(unsigned)(b % L.grid.x), (unsigned)((b / L.grid.x) % L.grid.y),
                  (unsigned)(b / gxy)};

    run_kernel_body(S);

    std::unique_lock<BlockMutex> lk(S.m);
    // Returning from the kernel: leave every barrier's count (sm_70+ semantics),
    // which may complete a barrier the other threads are waiting in.
    WarpState& W = S.warps[c.warp];
    --S.live;
    W.live &= ~bit;
    if (!L.failed) {
      if (S.barArrived > 0 && S.barArrived == S.live) release_block_barrier_locked(S, false);
      if (W.arrived != 0 && W.arrived == W.live) release_warp_locked(S, W, false);
      check_deadlock_locked(S);
    }
    // End-of-block barrier over all threads (exited ones included): the next
    // block may not start while any thread still uses this block's shared memory.
    const uint32_t seen = S.endGate.current();
    if (++S.finished == L.nthreads) {
      S.finished = 0;
      S.proceed = !L.failed && pos + (uint64_t)L.nslots < L.nblocks;
      if (S.proceed) reset_block_state_locked(S);
      lk.unlock();
      S.endGate.open();
    } else {
      lk.unlock();
      S.endGate.wait(seen, nullptr, L.spin);
    }
    if (!S.proceed) {
      c.launch = nullptr;
      std::lock_guard<std::mutex> done(L.doneM);
      if (++L.exited == L.nslots * L.nthreads) L.doneCv.notify_one();
      return;  // must not touch L after this: the next launch may reset it
    }
  }
}

int set_error(char* err, int errLen, const std::string& msg) {
  if (err && errLen > 0) snprintf(err, (size_t)errLen, "%s", msg.c_str());
  return 1;
}

// Blocks at once: 1 (sequential), or n >= 2 (concurrent, in a random order).
// Set by rnb_emu_set_concurrent_blocks, else $RNB_EMU_BLOCK_ORDER=concurrent
// ($RNB_EMU_CONCURRENT_BLOCKS of them, default 4).
int env_concurrent_blocks() {
  const char* ord = std::getenv("RNB_EMU_BLOCK_ORDER");
  if (!ord || std::strcmp(ord, "concurrent") != 0) return 1;
  return std::max(2, env_int("RNB_EMU_CONCURRENT_BLOCKS", 4));
}
std::atomic<int> g_concurrent_blocks{env_concurrent_blocks()};

}  // namespace

// ------------------------------------------------------------------ kernel-side hooks
void register_kernel(const char* name, Trampoline trampoline, int arity) {
  for (const KernelEntry& k : kernels())
    if (k.name == name) {
      fprintf(stderr, "rnb emulator: kernel %s registered twice; keeping the first\n", name);
      return;
    }
  kernels().push_back({name, trampoline, arity});
}

void* dynamic_shared_ptr() { return current_block("dynamic shared memory").dyn; }

void* static_shared(const void* site, size_t bytes, size_t align) {
  BlockSlot& S = current_block("static shared memory (RNB_SHARED)");
  const char* error = nullptr;
  {
    std::lock_guard<std::mutex> lk(S.sharedM);
    for (const SharedVar& v : S.shared)
      if (v.site == site) return v.ptr;
    // First use in this launch: exactly `bytes` (for ASan), filled like every
    // later block's copy by reset_block_state_locked.
    void* p = nullptr;
    if (S.sharedBytes + bytes > (size_t)kMaxStaticShared) {
      error = "static shared memory (RNB_SHARED) of the block exceeds 48 KiB";
    } else {
      p = align <= alignof(std::max_align_t)
              ? std::malloc(std::max<size_t>(1, bytes))
              : std::aligned_alloc(align, (std::max<size_t>(1, bytes) + align - 1) / align * align);
      if (!p) error = "out of memory for static shared memory";
    }
    if (!error) {
      std::memset(p, 0xFF, bytes);
      S.shared.push_back({site, p, bytes});
      S.sharedBytes += bytes;
      return p;
    }
  }
  std::lock_guard<BlockMutex> lk(S.m);
  fail_locked(S, "%s", error);
  throw AbortLaunch();
}

long long clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void sleep_ns(unsigned ns) { std::this_thread::sleep_for(std::chrono::nanoseconds(ns)); }

unsigned active_mask() {
  BlockSlot& S = current_block("__activemask");
  std::lock_guard<BlockMutex> lk(S.m);
  return S.warps[t_ctx.warp].live;  // approximation: lanes that have not exited
}

void syncthreads(const char* file, int line) {
  BlockSlot& S = current_block("__syncthreads");
  std::unique_lock<BlockMutex> lk(S.m);
  if (S.L->failed) throw AbortLaunch();
  Site site;
  site.file = file;
  site.line = line;
  if (S.barArrived == 0) {
    S.barSite = site;
  } else if (!S.barSite.same(site)) {
    fail_locked(S, "divergent __syncthreads: this thread is at %s:%d while %d other thread(s) "
                   "wait at %s:%d",
                file, line, S.barArrived, S.barSite.file, S.barSite.line);
    throw AbortLaunch();
  }
  const uint32_t seen = S.barGate.current();
  if (++S.barArrived == S.live) {
    release_block_barrier_locked(S, true);
    return;
  }
  ++S.blocked;
  check_deadlock_locked(S);
  wait_gate(S, lk, S.barGate, seen, site);
}

uint64_t warp_op(int kind, unsigned mask, uint64_t value, long long arg, int width,
                 const char* file, int line) {
  BlockSlot& S = current_block(op_name(kind));
  const ThreadCtx& c = t_ctx;
  std::unique_lock<BlockMutex> lk(S.m);
  if (S.L->failed) throw AbortLaunch();
  if (width < 1 || width > kWarp || (width & (width - 1)) != 0) {
    fail_locked(S, "%s at %s:%d: width %d is not a power of two in [1, 32]", op_name(kind), file,
                line, width);
    throw AbortLaunch();
  }
  WarpState& W = S.warps[c.warp];
  Site site;
  site.kind = kind;
  site.mask = mask;
  site.width = width;
  site.file = file;
  site.line = line;
  if (W.arrived == 0) {
    W.site = site;
  } else if (!W.site.same(site)) {
    fail_locked(S, "divergent warp operation in warp %d: lane %d calls %s(mask 0x%08x) at %s:%d "
                   "while lanes 0x%08x wait in %s(mask 0x%08x) at %s:%d",
                c.warp, c.lane, op_name(kind), mask, file, line, W.arrived, op_name(W.site.kind),
                W.site.mask, W.site.file, W.site.line);
    throw AbortLaunch();
  }
  const unsigned buf = W.gen & 1;
  const uint32_t seen = W.gate.current();
  W.slots[buf][c.lane] = value;
  W.arrived |= 1u << c.lane;
  if (W.arrived == W.live) {
    release_warp_locked(S, W, true);
    if (S.L->failed) throw AbortLaunch();
    lk.unlock();
  } else {
    ++S.blocked;
    check_deadlock_locked(S);
    wait_gate(S, lk, W.gate, seen, site);
  }

  // Released, lock not held: W.slots[buf] and W.participants[buf] stay as they
  // are until this lane arrives at its next warp operation (see WarpState), and
  // the gate's release/acquire makes the other lanes' writes visible.
  const uint32_t part = W.participants[buf];
  switch (kind) {
    case kSyncWarp: return 0;
    case kBallot:
    case kAny:
    case kAll: {
      uint32_t ballot = 0;
      for (int i = 0; i < kWarp; ++i)
        if ((part >> i & 1u) && W.slots[buf][i]) ballot |= 1u << i;
      if (kind == kBallot) return ballot;
      if (kind == kAny) return ballot != 0;
      return ballot == part;
    }
    default: break;
  }
  // Shuffles: the source lane as CUDA computes it, within segments of `width`.
  const int lane = c.lane;
  const int segStart = lane & ~(width - 1);
  const int segEnd = segStart + width;
  long long src;
  switch (kind) {
    case kShflIdx: src = segStart + (arg & (width - 1)); break;
    case kShflUp: src = lane - (long long)(unsigned)arg; break;
    case kShflDown: src = lane + (long long)(unsigned)arg; break;
    default: src = lane ^ (arg & (kWarp - 1)); break;  // xor
  }
  if (src < segStart || src >= segEnd) return value;  // outside the segment: own value
  if (!(part >> src & 1u)) {
    // Past the last active lane (partial warp, or exited upper lanes):
    // shfl_down keeps the caller's value, as the reduction idiom expects.
    const int lastActive = 31 - __builtin_clz(part);
    if (kind == kShflDown && src > lastActive) return value;
    lk.lock();
    fail_locked(S, "%s at %s:%d: lane %d reads lane %lld, which is not active (it has exited or "
                   "lies beyond the end of the block); active lanes 0x%08x",
                op_name(kind), file, line, lane, src, part);
    throw AbortLaunch();
  }
  return W.slots[buf][src];
}

}  // namespace rnb_emu

// ------------------------------------------------------------------ C API
using namespace rnb_emu;

extern "C" int rnb_emu_kernel_count(void) {
  registry_anchor();
  return (int)kernels().size();
}

extern "C" const char* rnb_emu_kernel_name(int i) {
  registry_anchor();
  if (i < 0 || i >= (int)kernels().size()) return nullptr;
  return kernels()[(size_t)i].name.c_str();
}

extern "C" int rnb_emu_set_watchdog_ms(int ms) {
  return g_watchdog_ms.exchange(ms > 0 ? ms : default_watchdog_ms());
}

extern "C" int rnb_emu_set_concurrent_blocks(int n) {
  return g_concurrent_blocks.exchange(n <= 0 ? env_concurrent_blocks() : n);
}

extern "C" int rnb_emu_launch(const char* kernel, int gx, int gy, int gz, int bx, int by, int bz,
                              int dynamicSharedBytes, void** args, char* err, int errLen) {
  char msg[512];
  const char* kname = kernel ? kernel : "(null)";
  if (t_ctx.launch)
    return set_error(err, errLen, std::string("launch of ") + kname +
                                      " from inside an emulated kernel is not supported");
  const KernelEntry* k = kernel ? find_kernel(kernel) : nullptr;
  if (!k) {
    snprintf(msg, sizeof msg, "unknown kernel '%s' (%d kernels registered in the emulator)",
             kname, (int)kernels().size());
    return set_error(err, errLen, msg);
  }
  // The limits of current NVIDIA GPUs (compute capability 9.0).
  const long long nthreads = (long long)bx * by * bz;
  const char* bad = nullptr;
  if (gx < 1 || gy < 1 || gz < 1) bad = "grid dimensions must be >= 1";
  else if (gy > 65535 || gz > 65535) bad = "gridDim.y and gridDim.z must be <= 65535";
  else if (bx < 1 || by < 1 || bz < 1) bad = "block dimensions must be >= 1";
  else if (bx > 1024 || by > 1024 || bz > 64) bad = "block dimensions exceed (1024, 1024, 64)";
  else if (nthreads > kMaxThreads) bad = "more than 1024 threads per block";
  else if (dynamicSharedBytes < 0) bad = "negative dynamic shared memory size";
  else if (dynamicSharedBytes > env_int("RNB_EMU_MAX_DYNAMIC_SHARED", kDefaultMaxDynamicShared))
    bad = "dynamic shared memory exceeds the limit (48 KiB; $RNB_EMU_MAX_DYNAMIC_SHARED)";
  else if (k->arity > 0 && !args) bad = "args is NULL";
  if (!bad && args)
    for (int i = 0; i < k->arity; ++i)
      if (!args[i]) bad = "an argument pointer args[i] is NULL";
  if (bad) {
    snprintf(msg, sizeof msg, "invalid launch of %s: grid (%d,%d,%d) block (%d,%d,%d) dynamic "
                              "shared %d bytes: %s",
             kname, gx, gy, gz, bx, by, bz, dynamicSharedBytes, bad);
    return set_error(err, errLen, msg);
  }

  std::lock_guard<std::mutex> launchLock(g_launch_mutex);
  Launch& L = g_launch;
  L.kernel = k;
  L.args = args;
  L.grid = dim3((unsigned)gx, (unsigned)gy, (unsigned)gz);
  L.block = dim3((unsigned)bx, (unsigned)by, (unsigned)bz);
  L.nthreads = (int)nthreads;
  L.nwarps = (L.nthreads + kWarp - 1) / kWarp;
  L.nblocks = (uint64_t)gx * gy * gz;
  L.nslots = (int)std::min<uint64_t>((uint64_t)g_concurrent_blocks.load(), L.nblocks);
  // $RNB_EMU_BLOCK_ORDER=reverse|random changes the order in which blocks run,
  // to expose kernels that depend on it; concurrent blocks always run in a
  // random order (and interleave).
  const char* ord = std::getenv("RNB_EMU_BLOCK_ORDER");
  L.reverse = L.nslots == 1 && ord && std::strcmp(ord, "reverse") == 0;
  L.order.clear();
  const bool shuffle = L.nslots > 1 || (ord && std::strcmp(ord, "random") == 0);
  if (shuffle && L.nblocks <= (1u << 22)) {
    L.order.resize(L.nblocks);
    for (uint64_t i = 0; i < L.nblocks; ++i) L.order[i] = i;
    std::shuffle(L.order.begin(), L.order.end(), std::mt19937_64(std::random_device{}()));
  }
  std::string poolErr;
  if (!ensure_workers(L.nslots * L.nthreads, poolErr)) return set_error(err, errLen, poolErr);
  L.dynBytes = (size_t)dynamicSharedBytes;
  while ((int)L.slots.size() < L.nslots) {
    L.slots.emplace_back(new BlockSlot);
    L.slots.back()->L = &L;
    L.slots.back()->index = (int)L.slots.size() - 1;
  }
  for (int i = 0; i < L.nslots; ++i) {
    BlockSlot& S = *L.slots[(size_t)i];
    std::lock_guard<BlockMutex> sl(S.m);
    // Exactly the requested size, so that AddressSanitizer sees overruns.
    S.dyn = L.dynBytes ? static_cast<unsigned char*>(std::malloc(L.dynBytes)) : nullptr;
    if (L.dynBytes && !S.dyn) {
      for (int j = 0; j <= i; ++j) free_block_memory(*L.slots[(size_t)j]);
      return set_error(err, errLen, "out of memory for dynamic shared memory");
    }
    S.finished = 0;
    reset_block_state_locked(S);
  }
  L.failed.store(false);
  L.error.clear();
  // Poll before sleeping only when every CUDA thread can have its own core.
  static const unsigned ncpu = std::max(1u, std::thread::hardware_concurrency());
  L.spin = (unsigned)(L.nslots * L.nthreads) < ncpu ? 4000 : 0;
  {
    std::lock_guard<std::mutex> done(L.doneM);
    L.exited = 0;
  }

  for (int i = 0; i < L.nslots * L.nthreads; ++i) {
    Worker* w = g_workers[(size_t)i];
    {
      std::lock_guard<std::mutex> wl(w->m);
      ++w->seq;
    }
    w->cv.notify_one();
  }

  {
    std::unique_lock<std::mutex> done(L.doneM);
    L.doneCv.wait(done, [&] { return L.exited == L.nslots * L.nthreads; });
  }
  for (int i = 0; i < L.nslots; ++i) free_block_memory(*L.slots[(size_t)i]);
  L.args = nullptr;
  if (L.failed) return set_error(err, errLen, L.error);
  return 0;
}
