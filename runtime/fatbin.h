// Reader of the fat binaries nvcc embeds in a program (what __cudaRegisterFatBinary receives):
// the 24-byte wrapper, the container it points at, and the container's entries (PTX text or SASS
// ELF per architecture), decompressed where nvcc compressed them (zstd by default in nvcc 13,
// LZ4 with --compress-mode=speed). The layout is in no CUDA header; it was measured on nvcc 13.0
// (shared/reference/cuda-runtime-abi.md) and is summarised in runtime/fatbin.cpp.
//
// Everything read from the container is untrusted: every size and offset is checked against the
// container's bounds, and a bad one is a FatbinError naming the entry and the byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gpusim::runtime {

class FatbinError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FatbinEntry {
  enum class Kind { Ptx, Elf, Other };
  Kind kind = Kind::Other;
  unsigned arch = 0;              // 75, 80, 90, ... (compute_XX for PTX, sm_XX for ELF)
  unsigned major = 0, minor = 0;  // PTX ISA version for PTX entries
  std::string compression;        // "", "zstd" or "lz4"
  std::string payload;            // decompressed; PTX text without its terminating NULs
  // The ptxas options nvcc recorded for this code (-maxrregcount, -Xptxas ...), which the driver
  // passes to ptxas when it compiles the PTX; "" when none.
  std::string ptxas_options;
};

// The register limit `options` (ptxas options as FatbinEntry::ptxas_options holds them, or nvcc's
// command-line flags) set: -maxrregcount=N, --maxrregcount=N, -maxrregcount N, --maxrregcount N;
// 0 when none, or when N is not a positive number (ptxas ignores such a limit).
unsigned max_registers_option(const std::string& options);

struct Fatbin {
  unsigned wrapper_version = 0;   // 1; 2 for relocatable device code (-rdc)
  std::vector<FatbinEntry> entries;
  std::vector<Fatbin> prelinked;  // version 2: each translation unit's container (rdc_program.h)

  // The PTX entry to run on an architecture: the newest one not newer than `arch`, else the
  // oldest one; nullptr when there is no PTX.
  const FatbinEntry* ptx_for(unsigned arch) const;
  // The machine code (SASS) a GPU of compute capability `arch` (75, 90, ...) would run from this
  // binary rather than compile its PTX: the newest sm_XY entry of the same major version and a
  // minor version not above the device's; 0 when there is none.
  unsigned sass_for(unsigned arch) const;
  // "sm_75 SASS, compute_80 PTX" for messages.
  std::string describe() const;
};

inline constexpr uint32_t kFatbinWrapperMagic = 0x466243B1;
inline constexpr uint32_t kFatbinContainerMagic = 0xBA55ED50;

// Parses one container from `size` bytes (which may hold trailing bytes after it).
Fatbin read_fatbin_container(const uint8_t* data, size_t size);

// Reads a container in this process's memory whose header states its size.
Fatbin read_fatbin_container_at(const void* container);

// Follows a wrapper in this process's memory (as passed to __cudaRegisterFatBinary) to its
// container. The container's own header gives its size, which is then checked like any other.
Fatbin read_fatbin_wrapper(const void* wrapper);  // without its prelinked list

}  // namespace gpusim::runtime
