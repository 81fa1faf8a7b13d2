// Programs and libraries linked with NVIDIA's static CUDA runtime (nvcc's default, `-cudart
// static`; CMake's default for CUDA targets) carry the runtime's functions inside themselves, where
// the dynamic loader cannot replace them, and that runtime reaches the driver through undocumented
// export tables. `gpusim exec` therefore preloads this library with
// GPUSIM_REDIRECT_STATIC_CUDART=1, and this constructor rewrites the first bytes of every runtime
// function such an object defines (`cudaMalloc`, `__cudaRegisterFatBinary`, ..., found by name in
// its .symtab) into a jump to this library's function of the same name: the object then talks to
// the simulator exactly as one built with `-cudart shared` does. NVIDIA's code stays, unreached.
//
// When: a preloaded library is initialised after the libraries the program needs and before the
// program itself. The program's constructors (which register its fat binaries) therefore run
// after the redirection. `gpusim exec`'s loader-audit library (runtime/cudart/audit/) has
// redirected the libraries themselves before their constructors ran (this code finds their jumps
// written and leaves them). Without it (this library preloaded by hand) a needed library's
// constructors have already run, into NVIDIA's runtime, which only recorded them: its
// registration constructors (`__sti____cudaRegisterAll`, one per .cu file) are run once more, now
// into this library; one built with relocatable device code registers through a one-shot counter
// that cannot be run twice, and is refused at start. One that cannot be redirected at all
// (stripped) is reported by libcuda when NVIDIA's runtime asks it for its tables. The jumps
// themselves: runtime/static_runtime_jumps.h.
//
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/diagnostic_stream.h"
#include "runtime/closed_libraries.h"
#include "runtime/static_runtime_jumps.h"

namespace {

using gpusim::runtime::LoadedObject;
using gpusim::runtime::MappedCodeSegment;

std::vector<LoadedObject> loaded_objects() {
  std::vector<LoadedObject> out;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* list = static_cast<std::vector<LoadedObject>*>(data);
        LoadedObject o;
        o.is_program = list->empty();
        o.path = o.is_program ? "/proc/self/exe" : (info->dlpi_name ? info->dlpi_name : "");
        // The vDSO (named, but not a file) has nothing to read.
        if (o.path.empty() || access(o.path.c_str(), R_OK) != 0) {
          list->push_back(LoadedObject{});
          return 0;
        }
        o.bias = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
          const int prot = PROT_EXEC | (ph.p_flags & PF_R ? PROT_READ : 0) | (ph.p_flags & PF_W ? PROT_WRITE : 0);
          o.code.push_back(MappedCodeSegment{info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz, prot});
        }
        list->push_back(std::move(o));
        return 0;
      },
      &out);
  return out;
}

std::string own_path() {
  Dl_info self{};
  if (!dladdr(reinterpret_cast<void*>(&own_path), &self) || !self.dli_fname) return "";
  return self.dli_fname;
}

// Redirects one object's static runtime to `library` (this one, opened by dlopen). Returns the
// registration constructors to run again (none for the program, whose constructors run later).
std::vector<void (*)()> redirect_object(const LoadedObject& object, void* library) {
  const gpusim::runtime::StaticRuntimeEntries found = gpusim::runtime::find_static_runtime_entries(
      object, [&](const std::string& name) { return dlsym(library, name.c_str()); });
  // Without a symbol table (stripped) nothing can be found: `gpusim exec` refuses a stripped
  // program that carries the static runtime before it starts. Objects without the runtime (most
  // libraries) stay as they are.
  if (!found.has_runtime || found.jumps.empty()) return {};
  // Redirected by gpusim exec's loader-audit library before its constructors ran: it registered
  // with gpusim already.
  if (gpusim::runtime::static_runtime_jumps_written(found.jumps)) return {};
  if (found.relocatable && !object.is_program)
    throw std::runtime_error("it links NVIDIA's static CUDA runtime with relocatable device code (-rdc), whose "
                             "registration cannot be repeated: rebuild it with `nvcc -cudart shared` (CMake: "
                             "CUDA_RUNTIME_LIBRARY Shared)");
  gpusim::runtime::write_static_runtime_jumps(object, found.jumps);
  // Redirected, a closed library's calls reach this runtime and fail on its SASS-only kernels with
  // its own error codes: say why, once, as libcuda does for one it could not redirect.
  if (const std::string closed = gpusim::runtime::closed_library_message(object.path); !closed.empty())
    std::fputs(closed.c_str(), stderr);
  return object.is_program ? std::vector<void (*)()>{} : found.register_all;
}

void redirect_static_runtimes() {
  const std::string self = own_path();
  void* library = self.empty() ? nullptr : dlopen(self.c_str(), RTLD_NOW | RTLD_NOLOAD);
  if (!library) throw std::runtime_error("cannot find gpusim's libcudart.so.13 in the process");
  for (const LoadedObject& object : loaded_objects()) {
    if (object.path.empty() || object.path == self) continue;
    try {
      for (void (*again)() : redirect_object(object, library)) again();
    } catch (const std::runtime_error& e) {
      dlclose(library);
      throw std::runtime_error((object.is_program ? std::string("the program") : object.path) + ": " + e.what());
    }
  }
  dlclose(library);  // NOLOAD took a reference of an already loaded library: give it back
}

// Before the program's constructors (a preloaded library is initialised before the program).
__attribute__((constructor)) void redirect_static_runtimes_at_start() {
  const char* wanted = std::getenv("GPUSIM_REDIRECT_STATIC_CUDART");
  if (!wanted || std::strcmp(wanted, "1") != 0) return;
  try {
    redirect_static_runtimes();
  } catch (const std::exception& e) {
    // Carrying on would run NVIDIA's runtime against the simulator's driver and fail later with
    // errors that name nothing: stop before the program starts.
    char program[4096] = {};
    const ssize_t n = readlink("/proc/self/exe", program, sizeof program - 1);
    std::fprintf(gpusim::runtime::diagnostic_stream(), "gpusim: cannot run %s on the simulator's CUDA runtime: %s\n", n > 0 ? program : "the program",
                 e.what());
    std::fflush(gpusim::runtime::diagnostic_stream());
    _exit(1);
  }
}

}  // namespace
