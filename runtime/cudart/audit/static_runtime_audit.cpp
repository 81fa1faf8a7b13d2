// gpusim exec's loader-audit library (LD_AUDIT, see rtld-audit(7)): redirects NVIDIA's static CUDA
// runtime inside a library the program opens with dlopen after start-up - a plugin, a language
// binding's extension module built with nvcc's defaults - to gpusim's libcudart, as
// runtime/cudart/static_runtime_redirect.cpp does at start-up for the program and the libraries it
// needs. The loader calls la_objopen when it has mapped an object and before it relocates it or
// runs its constructors, so the library's fat binaries register with gpusim in the first place
// (also those of -rdc code, whose registration cannot be repeated afterwards).
//
// The audit library lives in a link namespace of its own (its own libc and libstdc++); it reaches
// gpusim's libcudart in the program's namespace through the loader's link_map list and dlsym on
// that map. It is built without sanitizers: sanitizer runtimes belong to the program's namespace.
#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "runtime/elf_function_symbols.h"
#include "runtime/static_runtime_jumps.h"

namespace {

using gpusim::runtime::LoadedObject;

// The rtld-audit callbacks carry no context of their own, so whether the process has finished
// starting is the one piece of state this library keeps: objects loaded at start-up are
// libcudart's to redirect (it can refuse the ones it cannot handle before the program starts).
bool& startup_finished() {
  static bool finished = false;
  return finished;
}

bool same_file(const char* a, const std::string& b) {
  struct stat sa {}, sb {};
  return stat(a, &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// gpusim's libcudart, this library's neighbour in build/lib, as loaded in the program's namespace.
link_map* gpusim_cudart(link_map* any) {
  Dl_info self{};
  if (!dladdr(reinterpret_cast<void*>(&gpusim_cudart), &self) || !self.dli_fname) return nullptr;
  std::string wanted = self.dli_fname;
  wanted = wanted.substr(0, wanted.find_last_of('/') + 1) + "libcudart.so.13";
  link_map* head = any;
  while (head->l_prev) head = head->l_prev;
  for (link_map* m = head; m; m = m->l_next)
    if (m->l_name && *m->l_name && same_file(m->l_name, wanted)) return m;
  return nullptr;
}

int protection_of(uint32_t flags) {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

void redirect_opened_object(link_map* map) {
  LoadedObject object;
  object.path = map->l_name;
  object.bias = map->l_addr;
  for (const gpusim::runtime::ElfCodeSegment& s : gpusim::runtime::elf_code_segments(object.path))
    object.code.push_back({object.bias + s.vaddr, object.bias + s.vaddr + s.memsz, protection_of(s.flags)});
  if (object.code.empty()) return;
  link_map* cudart = nullptr;
  const gpusim::runtime::StaticRuntimeEntries found =
      gpusim::runtime::find_static_runtime_entries(object, [&](const std::string& name) -> void* {
        if (!cudart && !(cudart = gpusim_cudart(map)))
          throw std::runtime_error("gpusim's libcudart.so.13 is not loaded in the process");
        // A dlopen handle is the object's link_map (dlinfo RTLD_DI_LINKMAP returns the same).
        return dlsym(cudart, name.c_str());
      });
  if (!found.has_runtime) return;
  gpusim::runtime::write_static_runtime_jumps(object, found.jumps);
}

}  // namespace

extern "C" {

unsigned int la_version(unsigned int version) { return version < LAV_CURRENT ? version : LAV_CURRENT; }

void la_activity(uintptr_t*, unsigned int flag) {
  if (flag == LA_ACT_CONSISTENT) startup_finished() = true;
}

unsigned int la_objopen(link_map* map, Lmid_t lmid, uintptr_t*) {
  if (!startup_finished() || lmid != LM_ID_BASE || !map->l_name || !*map->l_name) return 0;
  try {
    redirect_opened_object(map);
  } catch (const std::exception& e) {
    // dlopen carries on; the library's runtime calls then fail and libcuda says why.
    std::fprintf(stderr, "gpusim: %s: cannot redirect its static CUDA runtime to gpusim's: %s\n", map->l_name, e.what());
  }
  return 0;  // no symbol-binding callbacks: they would slow every call through the PLT
}

}  // extern "C"
