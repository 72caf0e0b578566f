// Calls OpenBLAS's thread-count functions through addresses resolved once in
// Java (JavaCPP's Loader.addressof). rnb_cpu does not link OpenBLAS: the
// Bytedeco presets load it, and only they know where it is.
#include "rnb_cpu.h"

void rnb_cpu_call_set_threads(void* fn, int n) {
    reinterpret_cast<void (*)(int)>(fn)(n);
}

int rnb_cpu_call_get_threads(void* fn) {
    return reinterpret_cast<int (*)()>(fn)();
}
