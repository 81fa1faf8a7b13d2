// `gpusim launch FILE.cu`: the kernel's CUDA C++ compiled to PTX by the toolkit's nvcc, as a user
// would with `nvcc -ptx`, so one command goes from a source file to a simulated launch.
#pragma once

#include <string>
#include <vector>

namespace gpusim::cli {

struct CompiledSource {
  std::string ptx_text;
  std::string command;  // the nvcc command line, for the user to repeat
};

// Whether `path` names CUDA C++ (.cu) rather than PTX.
bool is_cuda_source(const std::string& path);

// Throws std::runtime_error naming the fix when `path` ends in .cu spelt in another case (.CU,
// .Cu): nvcc refuses such a file, and read as PTX its C++ would only give a puzzling parse error.
void refuse_misnamed_cuda_source(const std::string& path);

// Compiles `cu_path` with `nvcc -ptx -lineinfo` for the simulated chip's architecture
// (`sm_arch`, e.g. "sm_90" -> compute_90a: the architecture-specific features a Hopper kernel
// may use) unless `nvcc_flags` choose one (-arch, -gencode, --gpu-architecture), plus those flags.
// Throws std::runtime_error when nvcc is missing, fails (its messages name file:line) or runs
// out of time.
CompiledSource compile_cuda_source(const std::string& cu_path, const std::string& sm_arch,
                                   const std::vector<std::string>& nvcc_flags);

}  // namespace gpusim::cli
