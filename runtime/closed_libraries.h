// NVIDIA's closed-source CUDA libraries (cuBLAS, cuFFT, cuDNN, ...): each carries its own static
// CUDA runtime and only GPU machine code (SASS) for its kernels, so it cannot run on the simulator.
// Where gpusim meets one (redirecting its runtime at start-up or at dlopen, or when its runtime
// asks libcuda for its tables) it says so once, by file name, instead of letting the library's
// calls fail with its own error codes (cuFFT's CUFFT_INTERNAL_ERROR named nothing).
#pragma once

#include <string>

namespace gpusim::runtime {

// The message for `path` (a file name or path) when it names one of those libraries, else "".
std::string closed_library_message(const std::string& path);

}  // namespace gpusim::runtime
