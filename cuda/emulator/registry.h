// Kernel registration for the CPU CUDA emulator.
//
// In a registry CMakeLists.txt generates (rnb_emulator_registry), after
// #including the kernel .cu files:
//     RNB_EMU_KERNEL(rnb_gram);
// records the name "rnb_gram" and a trampoline that unpacks cuLaunchKernel-style
// argument pointers (args[i] points to the i-th argument) into a typed call.
#ifndef RNB_EMULATOR_REGISTRY_H
#define RNB_EMULATOR_REGISTRY_H

#include <cstddef>
#include <utility>

namespace rnb_emu {

using Trampoline = void (*)(void** args);

// Defined in emulator.cpp. Names must be unique; the first registration wins.
void register_kernel(const char* name, Trampoline trampoline, int arity);

template <class Fn>
struct KernelSignature;  // only kernel function pointers are registrable

template <class... A>
struct KernelSignature<void (*)(A...)> {
  static constexpr int arity = static_cast<int>(sizeof...(A));

  template <void (*F)(A...), std::size_t... I>
  static void unpack(void** args, std::index_sequence<I...>) {
    (void)args;  // unused for kernels without parameters
    F(*static_cast<A*>(args[I])...);
  }
  template <void (*F)(A...)>
  static void trampoline(void** args) {
    unpack<F>(args, std::index_sequence_for<A...>{});
  }
};

struct Registrar {
  Registrar(const char* name, Trampoline t, int arity) { register_kernel(name, t, arity); }
};

// The generated registry (the only translation unit with registrations) defines this with
// RNB_EMU_REGISTRY_ANCHOR(); emulator.cpp calls it so that linking the static
// library always pulls in registry.o and its registrars, without --whole-archive.
void registry_anchor();

}  // namespace rnb_emu

#define RNB_EMU_KERNEL(fn)                                                   \
  static const ::rnb_emu::Registrar rnb_emu_registrar_##fn(                  \
      #fn, &::rnb_emu::KernelSignature<decltype(&fn)>::trampoline<&fn>,      \
      ::rnb_emu::KernelSignature<decltype(&fn)>::arity)

#define RNB_EMU_REGISTRY_ANCHOR() \
  void ::rnb_emu::registry_anchor() {}

#endif  // RNB_EMULATOR_REGISTRY_H
