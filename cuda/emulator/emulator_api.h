// C API of the CPU CUDA emulator (cuda/emulator/emulator.cpp), called from Java
// through JavaCPP. Kernels are those of the registry CMakeLists.txt generates
// (rnb_emulator_registry) for the library linked.
#ifndef RNB_EMULATOR_API_H
#define RNB_EMULATOR_API_H

#ifdef __cplusplus
extern "C" {
#endif

// Runs kernel `kernel` over grid (gx,gy,gz) x block (bx,by,bz) with
// `dynamicSharedBytes` of dynamic shared memory. `args` follows cuLaunchKernel's
// kernelParams convention: args[i] points to the value of the i-th argument.
// Returns 0 on success; otherwise nonzero and, when err != NULL and errLen > 0,
// a NUL-terminated message (truncated to errLen) in err. Launches are serialised
// (one at a time per process) and synchronous: on return the kernel has finished.
int rnb_emu_launch(const char* kernel, int gx, int gy, int gz, int bx, int by, int bz,
                   int dynamicSharedBytes, void** args, char* err, int errLen);

// Registered kernels, in registration order; name is NULL for i out of range.
int rnb_emu_kernel_count(void);
const char* rnb_emu_kernel_name(int i);

// Barrier watchdog in milliseconds (default 20000, or $RNB_EMU_WATCHDOG_MS):
// a __syncthreads()/warp barrier that waits longer fails the launch. Values
// <= 0 restore the default. Returns the previous value.
int rnb_emu_set_watchdog_ms(int ms);

// Blocks run at once: 1 runs them one after another; n >= 2 runs up to n
// concurrently, in a random order (races between blocks become real races).
// Values <= 0 restore the default: 1, or with $RNB_EMU_BLOCK_ORDER=concurrent,
// $RNB_EMU_CONCURRENT_BLOCKS (default 4). Returns the previous value.
int rnb_emu_set_concurrent_blocks(int n);

#ifdef __cplusplus
}
#endif

#endif  // RNB_EMULATOR_API_H
