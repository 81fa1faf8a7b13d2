// Programs linked with NVIDIA's static CUDA runtime (nvcc's default, `-cudart static`) carry the
// runtime's functions inside the executable, where the dynamic loader cannot replace them, and
// that runtime reaches the driver through undocumented export tables. `gpusim exec` therefore
// preloads this library into such a program with GPUSIM_REDIRECT_STATIC_CUDART=1, and before the
// program's own constructors register its fat binaries, this constructor rewrites the first bytes
// of every runtime function the executable defines (`cudaMalloc`, `__cudaRegisterFatBinary`, ...,
// found by name in its .symtab) into a jump to this library's function of the same name: the
// program then talks to the simulator exactly as one built with `-cudart shared` does. NVIDIA's
// code stays in the executable, unreached.
//
// Jumps: a function may be as short as 5 bytes (`__cudaLaunchKernel` is 10), so each entry gets a
// 5-byte relative jump to a slot in a page mapped within +-2 GiB of the executable's code, and the
// slot jumps on to this library through an absolute address (FF 25, 14 bytes).
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

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

struct Segment {
  uintptr_t start = 0, end = 0;
  int protection = 0;
};

struct MainProgram {
  uintptr_t bias = 0;
  std::vector<Segment> code;  // its executable PT_LOAD segments, as mapped
};

MainProgram main_program() {
  MainProgram out;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* program = static_cast<MainProgram*>(data);
        program->bias = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
          const int prot = PROT_EXEC | (ph.p_flags & PF_R ? PROT_READ : 0) | (ph.p_flags & PF_W ? PROT_WRITE : 0);
          program->code.push_back({info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz, prot});
        }
        return 1;  // the first object listed is the program itself
      },
      &out);
  return out;
}

const Segment* segment_holding(const MainProgram& program, uintptr_t from, size_t bytes) {
  for (const Segment& s : program.code)
    if (from >= s.start && from + bytes <= s.end) return &s;
  return nullptr;
}

// This library, as dlsym sees it: the targets are its exported (versioned) entry points.
void* own_library() {
  Dl_info self{};
  if (!dladdr(reinterpret_cast<void*>(&own_library), &self) || !self.dli_fname) return nullptr;
  return dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD);
}

struct Redirect {
  uintptr_t entry = 0;
  void* target = nullptr;
  std::string name;
};

// Slots for `count` jumps in a page within reach of every address in [low, high).
uint8_t* map_slots_near(uintptr_t low, uintptr_t high, size_t count) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t bytes = (count * kSlotBytes + page - 1) / page * page;
  // Below the program first (a PIE's neighbourhood above it holds its heap), then above.
  for (int side = 0; side < 2; ++side)
    for (uintptr_t step = 1; step <= 4096; step *= 2) {
      const uintptr_t distance = step * (uintptr_t(1) << 20);
      if (side == 0 && low < distance + bytes) break;
      const uintptr_t hint = side == 0 ? (low - distance - bytes) / page * page : (high + distance + page - 1) / page * page;
      void* at = mmap(reinterpret_cast<void*>(hint), bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
      if (at == MAP_FAILED) continue;
      const auto start = reinterpret_cast<uintptr_t>(at);
      const auto farthest = std::max(start + bytes > low ? start + bytes - low : low - start,
                                     high > start ? high - start : start - high);
      if (farthest < static_cast<uintptr_t>(kNearReach)) return static_cast<uint8_t*>(at);
      munmap(at, bytes);
    }
  throw std::runtime_error("no free memory within 2 GiB of the program's code for the jump slots");
}

// Writes `bytes` over the program's code at `at`, which lies in `segment`.
void write_code(const Segment& segment, uintptr_t at, const void* bytes, size_t size) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t first = at / page * page;
  const size_t span = (at + size - first + page - 1) / page * page;
  if (mprotect(reinterpret_cast<void*>(first), span, PROT_READ | PROT_WRITE | PROT_EXEC) != 0)
    throw std::runtime_error(std::string("cannot make the program's code writable: ") + std::strerror(errno));
  std::memcpy(reinterpret_cast<void*>(at), bytes, size);
  if (mprotect(reinterpret_cast<void*>(first), span, segment.protection) != 0)
    throw std::runtime_error(std::string("cannot restore the program's code protection: ") + std::strerror(errno));
}

// Returns how many entry points now jump into this library.
size_t redirect_static_runtime() {
  const MainProgram program = main_program();
  if (program.code.empty()) throw std::runtime_error("the program has no executable segment");
  void* library = own_library();
  if (!library) throw std::runtime_error("cannot find gpusim's libcudart.so.13 in the process");
  // One jump per address: the runtime may define two names at one address (aliases).
  std::map<uintptr_t, Redirect> redirects;
  const bool has_symbols = gpusim::runtime::for_each_function_symbol(
      "/proc/self/exe", {"cuda", "__cuda"}, [&](const gpusim::runtime::ElfFunctionSymbol& fn) {
        const uintptr_t entry = program.bias + fn.value;
        if (fn.size < kRelativeJump || redirects.count(entry) || !segment_holding(program, entry, kRelativeJump)) return;
        void* target = dlsym(library, fn.name.c_str());
        if (target) redirects[entry] = Redirect{entry, target, fn.name};
      });
  dlclose(library);  // NOLOAD took a reference of an already loaded library: give it back
  // Without a symbol table (stripped) nothing can be found: `gpusim exec` refuses a stripped program
  // that carries the static runtime before it starts; another process that inherited the
  // preload (a shell the program starts) simply runs as it is.
  if (!has_symbols || redirects.empty()) return 0;
  uint8_t* slots = map_slots_near(redirects.begin()->first, redirects.rbegin()->first + kRelativeJump, redirects.size());
  size_t index = 0;
  for (const auto& [entry, r] : redirects) {
    uint8_t* slot = slots + index++ * kSlotBytes;
    const uint8_t absolute_jump[6] = {0xFF, 0x25, 0, 0, 0, 0};  // jmp *0(%rip): the address follows
    std::memcpy(slot, absolute_jump, sizeof absolute_jump);
    std::memcpy(slot + sizeof absolute_jump, &r.target, sizeof r.target);
    uint8_t jump[kRelativeJump] = {0xE9};
    const auto displacement = static_cast<int32_t>(reinterpret_cast<intptr_t>(slot) - static_cast<intptr_t>(entry + kRelativeJump));
    std::memcpy(jump + 1, &displacement, sizeof displacement);
    write_code(*segment_holding(program, entry, kRelativeJump), entry, jump, sizeof jump);
  }
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (mprotect(slots, (redirects.size() * kSlotBytes + page - 1) / page * page, PROT_READ | PROT_EXEC) != 0)
    throw std::runtime_error(std::string("cannot make the jump slots executable: ") + std::strerror(errno));
  return redirects.size();
}

// Before the program's constructors (a preloaded library is initialised before the program).
__attribute__((constructor)) void redirect_static_runtime_at_start() {
  const char* wanted = std::getenv("GPUSIM_REDIRECT_STATIC_CUDART");
  if (!wanted || std::strcmp(wanted, "1") != 0) return;
  try {
    redirect_static_runtime();
  } catch (const std::exception& e) {
    // Carrying on would run NVIDIA's runtime against the simulator's driver and fail later with
    // errors that name nothing: stop before the program starts.
    char self[4096] = {};
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    std::fprintf(stderr, "gpusim: cannot run %s on the simulator's CUDA runtime: %s\n", n > 0 ? self : "the program", e.what());
    std::fflush(stderr);
    _exit(1);
  }
}

}  // namespace
