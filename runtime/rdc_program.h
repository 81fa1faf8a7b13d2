// Programs built with relocatable device code (nvcc -rdc=true / -dc, CMake's
// CUDA_SEPARABLE_COMPILATION). Their start-up code registers ONE version-2 fat binary wrapper
// for the whole program; its 4th field lists every translation unit's prelinked container
// (crt/link.stub: __cudaPrelinkedFatbins, NULL-terminated), one of them libcudadevrt's. The
// container the wrapper itself points at is nvlink's output, which holds no PTX. gpusim reads
// each prelinked container's PTX and links the texts (isa/ptx_link.h) into one module.
#pragma once

#include <string>
#include <vector>

#include "runtime/fatbin.h"

namespace gpusim::runtime {

// The containers a version-2 wrapper (in this process's memory) lists. Throws FatbinError.
std::vector<Fatbin> read_prelinked_fatbins(const void* wrapper);

// The PTX gpusim loads for a registered fat binary on `arch` (80 for sm_80): its own PTX entry,
// or, when it lists prelinked containers, their PTX linked into one text. Throws FatbinError
// (no PTX) or isa::PtxLinkError (an undefined or doubly defined symbol).
struct ProgramPtx {
  unsigned arch = 0;    // the compute_XX of the (newest) PTX used
  unsigned sass_arch = 0;  // machine code a GPU of the simulated architecture would run instead (0: none)
  bool linked = false;  // several modules linked
  std::string text;
  std::string ptxas_options;  // recorded with the PTX (FatbinEntry::ptxas_options; linked: the first unit's)
};
ProgramPtx program_ptx(const Fatbin& fatbin, unsigned arch);

// What to do about PTX for compute_`ptx_arch`, newer than the simulated GPU: the shipped H100
// configuration up to compute_90, a configuration of that architecture beyond.
std::string newer_ptx_advice(unsigned ptx_arch);

// What the user should know about the PTX chosen for a GPU of compute capability `device_arch`
// (75, 90, ...), in one sentence without "gpusim: note: " ("" when nothing): PTX newer than the
// device runs here where a GPU would refuse it, or the binary holds machine code for the device
// that a GPU would run instead of this PTX (an `-arch=all-major` build carries sm_90 SASS but only
// compute_120 PTX), so code conditioned on __CUDA_ARCH__ differs. `source` names the PTX.
std::string ptx_choice_note(const ProgramPtx& ptx, unsigned device_arch, const std::string& source,
                            const std::string& device_name);

}  // namespace gpusim::runtime
