// Opens a library carrying NVIDIA's static CUDA runtime (static_runtime_lib.cu, built in several
// ways) with dlopen after start-up, as a plugin host or a language binding does, and checks its
// results against the CPU. Usage: static_runtime_dlopen_main LIBRARY.so [TIMES]: with TIMES, the
// library is opened, used and closed that many times (a plugin host reloading a plugin).
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

#include "static_runtime_lib_check.h"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) return 2;
  const int times = argc == 3 ? std::atoi(argv[2]) : 1;
  for (int round = 0; round < times; ++round) {
    void* lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) {
      std::printf("dlopen failed: %s\n", dlerror());
      return 2;
    }
    auto transform = reinterpret_cast<LibraryTransform>(dlsym(lib, "library_transform"));
    if (!transform) return 2;
    if (check_library_transform(transform, "static_runtime_dlopen") != 0) {
      std::printf("static_runtime_dlopen: round %d of %d failed\n", round + 1, times);
      return 1;
    }
    if (argc == 3 && dlclose(lib) != 0) {
      std::printf("dlclose failed: %s\n", dlerror());
      return 2;
    }
  }
  return 0;
}
