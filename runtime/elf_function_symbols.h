// The functions an ELF file defines, by name, from its full symbol table (.symtab), which the
// dynamic symbol table lacks for a program's own functions. Used to find the entry points of a
// CUDA runtime linked statically into a program (runtime/cudart/static_runtime_redirect.cpp) and,
// before such a program starts, whether they can be found at all (a stripped program has no
// .symtab). Reads only the headers and the two tables, with pread: programs can be hundreds of
// MB of fat binaries.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace gpusim::runtime {

struct ElfFunctionSymbol {
  std::string name;
  uint64_t value = 0;  // address in the file's own address space (add the load bias)
  uint64_t size = 0;
  bool exported = false;  // global or weak binding with default visibility: what dlsym can find
};

// Calls `visit` for every defined function symbol of `path` whose name starts with one of
// `prefixes`.
// Returns false when the file has no .symtab (stripped, or not a 64-bit ELF file); throws
// std::runtime_error naming the file when it cannot be read or its tables are truncated.
bool for_each_function_symbol(const std::string& path, const std::vector<std::string>& prefixes,
                              const std::function<void(const ElfFunctionSymbol&)>& visit);

// A loadable segment holding code (PT_LOAD with PF_X), in the file's own address space.
struct ElfCodeSegment {
  uint64_t vaddr = 0, memsz = 0;
  uint32_t flags = 0;  // PF_R | PF_W | PF_X
};

// The code segments of `path` from its program headers (an object being loaded, before the loader
// lists it); empty for a file that is not a 64-bit ELF file; throws as above.
std::vector<ElfCodeSegment> elf_code_segments(const std::string& path);

}  // namespace gpusim::runtime
