// A program that loads a CUDA runtime by its full path (tests/cuda_programs/dlopen_runtime_by_path),
// as Python wheels load the libcudart.so.13 they bundle: under gpusim exec it gets gpusim's
// runtime (the loader-audit library's la_objsearch), from NVIDIA's path or a wheel-like copy.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "runtime/scratch_dir.h"
#include "tests/run_gpusim.h"

namespace {

using gpusim::test_support::contains;
using gpusim::test_support::Outcome;
using gpusim::test_support::run_gpusim;

const std::string kProgram = std::string(GPUSIM_CUDA_PROGRAMS) + "/dlopen_runtime_by_path";

TEST(ExecRuntimeByPath, NvidiasRuntimeLoadedByPathIsGpusims) {
#if defined(GPUSIM_ADDRESS_SANITIZER)
  GTEST_SKIP() << "a sanitizer build's gpusim exec loads no audit library (LeakSanitizer's tracer crashes with one)";
#endif
  if (!std::filesystem::exists(GPUSIM_NVIDIA_CUDART)) GTEST_SKIP() << "no " << GPUSIM_NVIDIA_CUDART;
  const Outcome o = run_gpusim("exec -- '" + kProgram + "' '" + GPUSIM_NVIDIA_CUDART + "'");
  EXPECT_EQ(o.exit_code, 0) << o.output;
  EXPECT_TRUE(contains(o.output, "dlopen_runtime_by_path OK")) << o.output;

  // A copy in a package's own folder, as pip's nvidia-cuda-runtime installs it.
  gpusim::runtime::ScratchDir wheel("gpusim_wheel_");
  std::filesystem::copy_file(GPUSIM_NVIDIA_CUDART, wheel.file("libcudart.so.13"));
  const Outcome copy = run_gpusim("exec -- '" + kProgram + "' '" + wheel.file("libcudart.so.13") + "'");
  EXPECT_EQ(copy.exit_code, 0) << copy.output;
  EXPECT_TRUE(contains(copy.output, "dlopen_runtime_by_path OK")) << copy.output;
}

}  // namespace
