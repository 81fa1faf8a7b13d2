// PTX compiled from workloads/**/*.cu (and framework/kernels/*.cu) at build time by nvcc and
// embedded into the binary, with ptxas' resource usage per kernel and SM architecture.
#pragma once

#include <string>
#include <vector>

namespace gpusim::workloads {

struct KernelResources {
  std::string kernel;
  std::string arch;            // "sm_75", "sm_80", "sm_90"
  unsigned registers = 0;      // per thread
  unsigned static_shared = 0;  // bytes
  unsigned stack_bytes = 0;    // local memory (stack frame) per thread
  unsigned spill_bytes = 0;    // spill stores + loads
};

struct EmbeddedPtx {
  std::string name;            // source file stem, e.g. "vecadd"
  std::string source_path;     // relative to the repository, e.g. "workloads/kernels/vecadd.cu"
  std::string ptx;             // the PTX text
  std::vector<KernelResources> resources;
};

// All embedded PTX sources.
const std::vector<EmbeddedPtx>& embedded_ptx();
// The PTX compiled from `name` (file stem); throws std::out_of_range naming what exists.
const EmbeddedPtx& find_embedded_ptx(const std::string& name);

}  // namespace gpusim::workloads
