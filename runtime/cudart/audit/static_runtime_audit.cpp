// gpusim exec's loader-audit library (LD_AUDIT, see rtld-audit(7)): redirects NVIDIA's static CUDA
// runtime inside every library that carries one to gpusim's libcudart, as
// runtime/cudart/static_runtime_redirect.cpp does for the program itself: the libraries the
// program needs at start-up and those it opens later with dlopen (a plugin, a language binding's
// extension module built with nvcc's defaults). The loader calls la_objopen when it has mapped an
// object and before it relocates it or runs its constructors, so the library's fat binaries
// register with gpusim in the first place (-rdc registration is one-shot and cannot be repeated),
// and constructors that use CUDA (a global object allocating device memory, launching a kernel)
// reach gpusim's runtime: redirected only after them, by libcudart's own constructor, they found
// NVIDIA's runtime and failed ("operation not supported"). libcudart then sees the jumps written
// and leaves such a library as it is.
//
// The audit library lives in a link namespace of its own (its own libc and libstdc++); it finds
// gpusim's libcudart in the program's namespace through the loader's link_map list, and its
// functions from its symbol table. It is built without sanitizers: sanitizer runtimes belong to the program's namespace.
#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "runtime/closed_libraries.h"
#include "runtime/elf_function_symbols.h"
#include "runtime/static_runtime_jumps.h"

namespace {

using gpusim::runtime::LoadedObject;

bool same_file(const char* a, const std::string& b) {
  struct stat sa {}, sb {};
  return stat(a, &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// The path of gpusim's libcudart: this library's neighbour in build/lib ("" when unknown).
const std::string& gpusim_cudart_path() {
  static const std::string path = [] {
    Dl_info self{};
    if (!dladdr(reinterpret_cast<void*>(&gpusim_cudart_path), &self) || !self.dli_fname) return std::string();
    const std::string own = self.dli_fname;
    return own.substr(0, own.find_last_of('/') + 1) + "libcudart.so.13";
  }();
  return path;
}

// gpusim's libcudart as loaded in the program's namespace.
link_map* gpusim_cudart(link_map* any) {
  const std::string& wanted = gpusim_cudart_path();
  if (wanted.empty()) return nullptr;
  link_map* head = any;
  while (head->l_prev) head = head->l_prev;
  for (link_map* m = head; m; m = m->l_next)
    if (m->l_name && *m->l_name && same_file(m->l_name, wanted)) return m;
  return nullptr;
}

int protection_of(uint32_t flags) {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

// Returns the jump slots' pages (none when the object was left as it is).
gpusim::runtime::JumpSlotPages redirect_opened_object(link_map* map) {
  // The vDSO is named but is no file; nothing to redirect in it.
  if (access(map->l_name, R_OK) != 0) return {};
  LoadedObject object;
  object.path = map->l_name;
  object.bias = map->l_addr;
  for (const gpusim::runtime::ElfCodeSegment& s : gpusim::runtime::elf_code_segments(object.path))
    object.code.push_back({object.bias + s.vaddr, object.bias + s.vaddr + s.memsz, protection_of(s.flags)});
  if (object.code.empty()) return {};
  // First what the symbol table says (no lookups: most objects carry no CUDA runtime, and at
  // start-up gpusim's libcudart, which defines the same names, must be left alone).
  const gpusim::runtime::StaticRuntimeEntries seen =
      gpusim::runtime::find_static_runtime_entries(object, [](const std::string&) -> void* { return nullptr; });
  if (!seen.has_runtime) return {};
  link_map* cudart = gpusim_cudart(map);
  if (!cudart) throw std::runtime_error("gpusim's libcudart.so.13 is not loaded in the process");
  if (cudart == map) return {};
  // gpusim's functions from its symbol table: at start-up the loader cannot look symbols up in it
  // yet (its scope is built after every object is mapped), and later the table gives the same.
  std::unordered_map<std::string, void*> gpusim_functions;
  gpusim::runtime::for_each_function_symbol(cudart->l_name, {"cuda", "__cuda"}, [&](const gpusim::runtime::ElfFunctionSymbol& fn) {
    if (fn.exported) gpusim_functions[fn.name] = reinterpret_cast<void*>(cudart->l_addr + fn.value);
  });
  const gpusim::runtime::StaticRuntimeEntries found =
      gpusim::runtime::find_static_runtime_entries(object, [&](const std::string& name) -> void* {
        const auto at = gpusim_functions.find(name);
        return at == gpusim_functions.end() ? nullptr : at->second;
      });
  const gpusim::runtime::JumpSlotPages pages = gpusim::runtime::write_static_runtime_jumps(object, found.jumps);
  if (const std::string closed = gpusim::runtime::closed_library_message(object.path); !closed.empty())
    std::fputs(closed.c_str(), stderr);
  return pages;
}

}  // namespace

extern "C" {

unsigned int la_version(unsigned int version) { return version < LAV_CURRENT ? version : LAV_CURRENT; }

// A CUDA runtime loaded by its full path (Python wheels dlopen the libcudart.so.13 they bundle,
// CuPy and PyTorch among them) is gpusim's instead: NVIDIA's shared runtime would find no GPU, and
// every call failed with a message about static runtimes (an outside user's report). A name
// without a '/' is found through LD_LIBRARY_PATH, which gpusim exec points at its own already.
char* la_objsearch(const char* name, uintptr_t*, unsigned int flag) {
  if (flag != LA_SER_ORIG || !name) return const_cast<char*>(name);
  const char* slash = std::strrchr(name, '/');
  if (!slash) return const_cast<char*>(name);
  const char* base = slash + 1;
  const bool cudart = std::strcmp(base, "libcudart.so") == 0 || std::strcmp(base, "libcudart.so.13") == 0 ||
                      std::strncmp(base, "libcudart.so.13.", 16) == 0;
  const std::string& ours = gpusim_cudart_path();
  if (!cudart || ours.empty() || same_file(name, ours) || access(ours.c_str(), R_OK) != 0) return const_cast<char*>(name);
  return const_cast<char*>(ours.c_str());
}

// The loader keeps one word per object for this library (`cookie`, the object's link_map until
// set): 0, or the object's jump-slot pages, unmapped again when the object is unloaded.
unsigned int la_objopen(link_map* map, Lmid_t lmid, uintptr_t* cookie) {
  *cookie = 0;
  // The program itself has an empty name: libcudart redirects it before its constructors run.
  if (lmid != LM_ID_BASE || !map->l_name || !*map->l_name) return 0;
  try {
    const gpusim::runtime::JumpSlotPages pages = redirect_opened_object(map);
    if (pages.start) *cookie = reinterpret_cast<uintptr_t>(new gpusim::runtime::JumpSlotPages(pages));
  } catch (const std::exception& e) {
    // dlopen carries on; the library's runtime calls then fail and libcuda says why.
    std::fprintf(stderr, "gpusim: %s: cannot redirect its static CUDA runtime to gpusim's: %s\n", map->l_name, e.what());
  }
  return 0;  // no symbol-binding callbacks: they would slow every call through the PLT
}

// A plugin closed with dlclose: its code is gone, so nothing jumps through its slots any more.
unsigned int la_objclose(uintptr_t* cookie) {
  if (auto* pages = reinterpret_cast<gpusim::runtime::JumpSlotPages*>(*cookie)) {
    gpusim::runtime::release_jump_slots(*pages);
    delete pages;
    *cookie = 0;
  }
  return 0;
}

}  // extern "C"
