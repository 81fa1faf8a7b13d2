#include "runtime/closed_libraries.h"

namespace gpusim::runtime {

std::string closed_library_message(const std::string& path) {
  const std::string file = path.substr(path.rfind('/') + 1);
  for (const char* closed : {"libcublas", "libcudnn", "libcufft", "libcurand", "libcusparse", "libcusolver", "libnpp",
                             "libnvjpeg", "libcutensor", "libnccl", "libnvblas", "libcudss"})
    if (file.rfind(closed, 0) == 0)
      return "gpusim: " + file + " is one of NVIDIA's closed-source libraries: it carries its own CUDA runtime and "
             "only GPU machine code (SASS), so it cannot run on the simulator (docs/CUDA_SUPPORT.md; your own "
             "kernels, Thrust and CUB run); its calls that need the GPU fail (host-only ones, such as cuRAND's host "
             "generators, still work)\n";
  return "";
}

}  // namespace gpusim::runtime
