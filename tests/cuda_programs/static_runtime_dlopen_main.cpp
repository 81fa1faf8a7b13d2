// Opens a library carrying NVIDIA's static CUDA runtime (static_runtime_lib.cu, built in several
// ways) with dlopen after start-up, as a plugin host or a language binding does, and checks its
// results against the CPU. Usage: static_runtime_dlopen_main LIBRARY.so
#include <dlfcn.h>

#include <cstdio>

#include "static_runtime_lib_check.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  void* lib = dlopen(argv[1], RTLD_NOW);
  if (!lib) {
    std::printf("dlopen failed: %s\n", dlerror());
    return 2;
  }
  auto transform = reinterpret_cast<LibraryTransform>(dlsym(lib, "library_transform"));
  if (!transform) return 2;
  return check_library_transform(transform, "static_runtime_dlopen");
}
