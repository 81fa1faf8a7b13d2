// Loads a CUDA runtime by its full path (argv[1]), as Python wheels (CuPy, PyTorch, the
// nvidia-cuda-runtime package) load the libcudart.so.13 they bundle: under gpusim exec that load
// must be gpusim's runtime, whose calls work (NVIDIA's failed every call: an outside user's report).
#include <dlfcn.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::printf("dlopen: %s\n", dlerror());
    return 3;
  }
  using Malloc = int (*)(void**, size_t);
  using Memset = int (*)(void*, int, size_t);
  using Memcpy = int (*)(void*, const void*, size_t, int);
  const auto malloc_fn = reinterpret_cast<Malloc>(dlsym(lib, "cudaMalloc"));
  const auto memset_fn = reinterpret_cast<Memset>(dlsym(lib, "cudaMemset"));
  const auto memcpy_fn = reinterpret_cast<Memcpy>(dlsym(lib, "cudaMemcpy"));
  if (!malloc_fn || !memset_fn || !memcpy_fn) return 4;
  void* d = nullptr;
  unsigned char h[64] = {};
  const int a = malloc_fn(&d, sizeof h), b = memset_fn(d, 3, sizeof h), c = memcpy_fn(h, d, sizeof h, 2 /* DtoH */);
  std::printf("cudaMalloc %d, cudaMemset %d, cudaMemcpy %d, byte 63 = %d\n", a, b, c, h[63]);
  if (a || b || c || h[0] != 3 || h[63] != 3) return 1;
  std::printf("dlopen_runtime_by_path OK\n");
  return 0;
}
