// Fat-binary containers (what a program hands __cudaRegisterFatBinary): either the container
// reads, every entry within its bounds, or it fails with runtime::FatbinError.
#include <cstddef>
#include <cstdint>

#include "runtime/fatbin.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const gpusim::runtime::Fatbin fb = gpusim::runtime::read_fatbin_container(data, size);
    (void)fb.ptx_for(80);
    (void)fb.describe();
  } catch (const gpusim::runtime::FatbinError&) {
  }
  return 0;
}
