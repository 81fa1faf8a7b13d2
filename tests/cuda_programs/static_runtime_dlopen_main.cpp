// Opens the static-runtime library (static_runtime_lib.cu) with dlopen after start-up, as a plugin
// host or a language binding does: gpusim cannot redirect it any more, and the program must learn
// why from one message rather than from bare cudaErrorNotSupported codes. Exits 0 only if the
// library's call fails (it cannot succeed without a GPU).
#include <dlfcn.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : ".";
  void* lib = dlopen((dir + "/libstatic_runtime_lib.so").c_str(), RTLD_NOW);
  if (!lib) {
    std::printf("dlopen failed: %s\n", dlerror());
    return 2;
  }
  using Transform = int (*)(int*, int, int, const int*, unsigned int*);
  auto transform = reinterpret_cast<Transform>(dlsym(lib, "library_transform"));
  if (!transform) return 2;
  int v[8] = {0};
  const int table[4] = {1, 2, 3, 4};
  unsigned int launches = 0;
  const int failed = transform(v, 8, 2, table, &launches);
  std::printf("static_runtime_dlopen: the library's call %s\n", failed ? "failed" : "succeeded");
  return failed ? 0 : 1;
}
