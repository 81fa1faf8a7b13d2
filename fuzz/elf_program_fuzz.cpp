// The ELF files `gpusim exec` reads before it starts a program (tools/program_inspect.cpp) and
// that libcudart and the audit library read to redirect a static CUDA runtime
// (runtime/elf_function_symbols.cpp):
// either the file's headers, fat binary and symbol table read within their bounds, or the reader
// fails with std::runtime_error naming the file. The seed is a 1 KB static ELF defining
// `cudaMalloc` and `__cudaRegisterFatBinary` with an empty `.nv_fatbin` container
// (gcc -Os -nostdlib -static -Wl,-n, stripped of debug sections).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_input_file.h"
#include "runtime/elf_function_symbols.h"
#include "tools/program_inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = gpusim::fuzz::write_input(data, size, ".elf");
  try {
    const gpusim::cli::ProgramLinkage link = gpusim::cli::inspect_program(path);
    (void)link.uses_shared_cudart();
  } catch (const std::runtime_error&) {
  }
  try {
    size_t named = 0;
    gpusim::runtime::for_each_function_symbol(path, {"cuda", "__cuda"},
                                              [&](const gpusim::runtime::ElfFunctionSymbol& fn) { named += fn.name.size(); });
  } catch (const std::runtime_error&) {
  }
  try {  // what the dlopen audit library reads of a library being loaded
    (void)gpusim::runtime::elf_code_segments(path);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
