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
// after the redirection; a needed library's have already run, into NVIDIA's runtime, which only
// recorded them: its registration constructors (`__sti____cudaRegisterAll`, one per .cu file) are
// run once more, now into this library. A library built with relocatable device code registers
// through a one-shot counter that cannot be run twice, and one opened later with dlopen is not
// seen here: both are reported (the first at start, the second by libcuda when NVIDIA's runtime
// asks it for its tables).
//
// Jumps: a function may be as short as 5 bytes (`__cudaLaunchKernel` is 10), so each entry gets a
// 5-byte relative jump to a slot in a page mapped within +-2 GiB of the object's code, and the
// slot jumps on to this library through an absolute address (FF 25, 14 bytes).
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

#include "runtime/elf_function_symbols.h"

namespace {

constexpr size_t kRelativeJump = 5;   // E9 rel32
constexpr size_t kSlotBytes = 16;     // FF 25 00000000 + the 8-byte address, padded
constexpr int64_t kNearReach = (int64_t(1) << 31) - 4096;
// nvcc's host stub: `static void __sti____cudaRegisterAll(void)`, a constructor per .cu file.
constexpr const char* kRegisterAll = "_ZL24__sti____cudaRegisterAllv";

struct Segment {
  uintptr_t start = 0, end = 0;
  int protection = 0;
};

// One object of the process as loaded: the program (listed first) or a shared library.
struct LoadedObject {
  std::string path;     // what to read its symbol table from
  bool is_program = false;
  uintptr_t bias = 0;
  std::vector<Segment> code;  // its executable PT_LOAD segments, as mapped
};

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
          o.code.push_back({info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz, prot});
        }
        list->push_back(std::move(o));
        return 0;
      },
      &out);
  return out;
}

const Segment* segment_holding(const LoadedObject& object, uintptr_t from, size_t bytes) {
  for (const Segment& s : object.code)
    if (from >= s.start && from + bytes <= s.end) return &s;
  return nullptr;
}

std::string own_path() {
  Dl_info self{};
  if (!dladdr(reinterpret_cast<void*>(&own_path), &self) || !self.dli_fname) return "";
  return self.dli_fname;
}

// Slots for `count` jumps in a page within reach of every address in [low, high).
uint8_t* map_slots_near(uintptr_t low, uintptr_t high, size_t count) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t bytes = (count * kSlotBytes + page - 1) / page * page;
  // Below the object first (a PIE program's neighbourhood above it holds its heap), then above.
  for (int side = 0; side < 2; ++side)
    for (uintptr_t step = 1; step <= 1024; step *= 2) {
      const uintptr_t distance = step * (uintptr_t(1) << 20);
      if (side == 0 && low < distance + bytes) break;
      const uintptr_t hint = side == 0 ? (low - distance - bytes) / page * page : (high + distance + page - 1) / page * page;
      void* at = mmap(reinterpret_cast<void*>(hint), bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
      if (at == MAP_FAILED) continue;
      const auto start = reinterpret_cast<uintptr_t>(at);
      const uintptr_t farthest = std::max(high, start + bytes) - std::min(low, start);
      if (farthest < static_cast<uintptr_t>(kNearReach)) return static_cast<uint8_t*>(at);
      munmap(at, bytes);
    }
  throw std::runtime_error("no free memory within 2 GiB of its code for the jump slots");
}

// Writes `bytes` over the object's code at `at`, which lies in `segment`.
void write_code(const Segment& segment, uintptr_t at, const void* bytes, size_t size) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = at / page * page;
  const size_t span = (at + size - first + page - 1) / page * page;
  if (mprotect(reinterpret_cast<void*>(first), span, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
    throw std::runtime_error(std::string("cannot make its code writable: ") + std::strerror(errno));
  std::memcpy(reinterpret_cast<void*>(at), bytes, size);
  if (mprotect(reinterpret_cast<void*>(first), span, segment.protection) != 0)
    throw std::runtime_error(std::string("cannot restore its code's protection: ") + std::strerror(errno));
}

// Points each entry at its target through a slot near the object's code.
void write_jumps(const LoadedObject& object, const std::map<uintptr_t, void*>& jumps) {
  uint8_t* slots = map_slots_near(jumps.begin()->first, jumps.rbegin()->first + kRelativeJump, jumps.size());
  size_t index = 0;
  for (const auto& [entry, target] : jumps) {
    uint8_t* slot = slots + index++ * kSlotBytes;
    const uint8_t absolute_jump[6] = {0xFF, 0x25, 0, 0, 0, 0};  // jmp *0(%rip): the address follows
    std::memcpy(slot, absolute_jump, sizeof absolute_jump);
    std::memcpy(slot + sizeof absolute_jump, &target, sizeof target);
    uint8_t jump[kRelativeJump] = {0xE9};
    const auto displacement = static_cast<int32_t>(reinterpret_cast<intptr_t>(slot) - static_cast<intptr_t>(entry + kRelativeJump));
    std::memcpy(jump + 1, &displacement, sizeof displacement);
    write_code(*segment_holding(object, entry, kRelativeJump), entry, jump, sizeof jump);
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (mprotect(slots, (jumps.size() * kSlotBytes + page - 1) / page * page, PROT_READ | PROT_EXEC) != 0)
    throw std::runtime_error(std::string("cannot make the jump slots executable: ") + std::strerror(errno));
}

// Redirects one object's static runtime to `library` (this one, opened by dlopen). Returns the
// registration constructors to run again (none for the program, whose constructors run later).
std::vector<void (*)()> redirect_object(const LoadedObject& object, void* library) {
  std::map<uintptr_t, void*> jumps;  // one per address: the runtime may define aliases
  std::vector<void (*)()> register_all;
  bool has_runtime = false, relocatable = false;
  gpusim::runtime::for_each_function_symbol(
      object.path, {"cuda", "__cuda", kRegisterAll}, [&](const gpusim::runtime::ElfFunctionSymbol& fn) {
        const uintptr_t entry = object.bias + fn.value;
        if (fn.name == kRegisterAll) {
          register_all.push_back(reinterpret_cast<void (*)()>(entry));
          return;
        }
        has_runtime |= fn.name == "__cudaRegisterFatBinary";
        relocatable |= fn.name.rfind("__cudaRegisterLinkedBinary", 0) == 0;
        if (fn.size < kRelativeJump || jumps.count(entry) || !segment_holding(object, entry, kRelativeJump)) return;
        if (void* target = dlsym(library, fn.name.c_str())) jumps[entry] = target;
      });
  // Without a symbol table (stripped) nothing can be found: `gpusim exec` refuses a stripped
  // program that carries the static runtime before it starts. Objects without the runtime (most
  // libraries) stay as they are.
  if (!has_runtime || jumps.empty()) return {};
  if (relocatable && !object.is_program)
    throw std::runtime_error("it links NVIDIA's static CUDA runtime with relocatable device code (-rdc), whose "
                             "registration cannot be repeated: rebuild it with `nvcc -cudart shared` (CMake: "
                             "CUDA_RUNTIME_LIBRARY Shared)");
  write_jumps(object, jumps);
  return object.is_program ? std::vector<void (*)()>{} : register_all;
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
    std::fprintf(stderr, "gpusim: cannot run %s on the simulator's CUDA runtime: %s\n", n > 0 ? program : "the program",
                 e.what());
    std::fflush(stderr);
    _exit(1);
  }
}

}  // namespace
