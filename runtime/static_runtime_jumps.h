// Redirecting NVIDIA's static CUDA runtime inside one loaded object (a program or a shared library
// linked with `-cudart static`) to gpusim's libcudart: the first bytes of each runtime function the
// object defines (found by name in its .symtab) become a jump to gpusim's function of the same
// name. Used at start-up by libcudart itself (runtime/cudart/static_runtime_redirect.cpp) and, for
// libraries opened later with dlopen, by the loader-audit library (runtime/cudart/audit/).
//
// Jumps: a function may be as short as 5 bytes (`__cudaLaunchKernel` is 10), so each entry gets a
// 5-byte relative jump to a slot in a page mapped within +-2 GiB of the object's code, and the
// slot jumps on to gpusim through an absolute address (FF 25, 14 bytes). x86-64 only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace gpusim::runtime {

// nvcc's host stub: `static void __sti____cudaRegisterAll(void)`, a constructor per .cu file.
inline constexpr const char* kRegisterAllConstructor = "_ZL24__sti____cudaRegisterAllv";

struct MappedCodeSegment {
  uintptr_t start = 0, end = 0;
  int protection = 0;  // PROT_* as mapped, put back after writing
};

// One object of the process as loaded.
struct LoadedObject {
  std::string path;  // what to read its symbol table from
  bool is_program = false;
  uintptr_t bias = 0;
  std::vector<MappedCodeSegment> code;  // its executable PT_LOAD segments, as mapped
};

// What an object's symbol table says about its static runtime.
struct StaticRuntimeEntries {
  bool has_runtime = false;   // it defines __cudaRegisterFatBinary
  bool relocatable = false;   // it registers -rdc code (__cudaRegisterLinkedBinary*)
  std::map<uintptr_t, void*> jumps;           // entry address -> gpusim's function
  std::vector<void (*)()> register_all;       // its registration constructors, by address
};

// Reads `object`'s runtime entries; `target_of(name)` gives gpusim's function of that name or null.
StaticRuntimeEntries find_static_runtime_entries(const LoadedObject& object,
                                                 const std::function<void*(const std::string&)>& target_of);

// The page(s) holding an object's jump slots.
struct JumpSlotPages {
  void* start = nullptr;
  size_t bytes = 0;
};

// Writes the jumps (throws std::runtime_error saying what failed: memory near the code, mprotect).
// Returns the slots' pages: unmap them with release_jump_slots once the object is unloaded (a
// plugin opened and closed again and again left a page each time near its code, until none was
// free within reach).
JumpSlotPages write_static_runtime_jumps(const LoadedObject& object, const std::map<uintptr_t, void*>& jumps);
void release_jump_slots(const JumpSlotPages& pages);

// Whether these jumps are in place already (written by the loader-audit library before the
// object's constructors ran): the first entry jumps through a slot to its target.
bool static_runtime_jumps_written(const std::map<uintptr_t, void*>& jumps);

}  // namespace gpusim::runtime
