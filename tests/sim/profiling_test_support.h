// Small PTX kernels run on a timed SimDevice with profiling on, for the trace and source-counter
// tests: the expected counts are worked out by hand from the kernels' instruction counts and the
// CTA dispatcher's documented round-robin (sim/gpu_model.cpp), then compared with the stats.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/device.h"
#include "runtime/scratch_dir.h"
#include "runtime/sim_device.h"

namespace gpusim::testing {

// out[tid.x] = tid.x (every CTA writes the same words): six instructions per warp, no branch,
// one coalesced 128-byte store per warp.
inline const char* kStoreKernel = R"(.version 8.0
.target sm_80
.address_size 64
.visible .entry store_tid(.param .u64 out)
{
  .reg .b32 %r<4>;
  .reg .b64 %rd<4>;
  ld.param.u64 %rd1, [out];
  mov.u32 %r1, %tid.x;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3], %r1;
  ret;
}
)";
inline constexpr int kStoreKernelInstructions = 6;

// A temporary file path with the given suffix, in a private directory removed with the object.
struct TempPath {
  runtime::ScratchDir dir{"gpusim_prof_"};
  std::string path;
  explicit TempPath(const std::string& suffix) : path(dir.file("file" + suffix)) {}
};

// Runs `ptx`'s kernel `kernel` with one u64 argument (a buffer of `out_bytes`) on a timed device.
inline runtime::LaunchStats run_profiled(const runtime::SimDeviceOptions& options, const std::string& ptx,
                                         const std::string& kernel, runtime::Dim3 grid, runtime::Dim3 block,
                                         size_t out_bytes) {
  std::unique_ptr<runtime::Device> dev = runtime::make_sim_device(options);
  const runtime::DevPtr out = dev->alloc(out_bytes);
  const runtime::ModuleHandle m = dev->load_ptx("prof_test.ptx", ptx);
  runtime::LaunchConfig cfg;
  cfg.grid = grid;
  cfg.block = block;
  runtime::LaunchStats stats = dev->launch(m, kernel, cfg, runtime::args(out));
  runtime::finish_profiling(*dev);
  return stats;
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return nlohmann::json::parse(s.str());  // throws on malformed JSON: the test fails
}

}  // namespace gpusim::testing
