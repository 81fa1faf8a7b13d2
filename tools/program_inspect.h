// What `gpusim exec` needs to know about a program before it starts it: whether it loads the
// shared CUDA runtime (which gpusim replaces through LD_LIBRARY_PATH) or carries NVIDIA's static
// one (nvcc's default, which gpusim redirects to its own when the program still has its symbol
// table).
#pragma once

#include <string>
#include <vector>

namespace gpusim::cli {

struct ProgramLinkage {
  bool is_elf = false;
  std::vector<std::string> needed;   // DT_NEEDED libraries
  bool has_fatbin = false;           // a .nv_fatbin section: the program carries device code
  // The fat binary holds a kernel (a PTX .entry, or SASS with a function's .text section). nvcc
  // embeds an empty fat binary even in a .cu file without device code (a driver-API or NVRTC
  // program); one that cannot be read counts as holding kernels.
  bool has_kernels = false;
  // NVIDIA's static CUDA runtime is linked in and can be found by name (its .symtab defines
  // __cudaRegisterFatBinary): gpusim redirects it (runtime/cudart/static_runtime_redirect.cpp).
  // False for a stripped program, whose runtime functions have no names left.
  bool static_cudart = false;
  // The program names a dynamic loader (PT_INTERP). Without one (`-static`, `-static-pie`) nothing
  // can be preloaded into it: its static runtime would open gpusim's libcuda.so.1 with a second C
  // library inside one process, which crashed in pthread_create.
  bool has_loader = false;
  bool uses_shared_cudart() const;
};

// Reads the ELF headers of `path`. Throws std::runtime_error naming the file when it cannot be
// read; a file that is not ELF (a script) comes back with is_elf = false.
ProgramLinkage inspect_program(const std::string& path);

}  // namespace gpusim::cli
