#include "runtime/cudart/unimplemented.h"
#include "runtime/diagnostic_stream.h"

#include <cuda_runtime_api.h>

#include <cstdio>

#include "runtime/cudart/cudart_context.h"

namespace gpusim::cudart {

int unimplemented(const char* function) {
  Context& ctx = context();
  std::lock_guard<std::recursive_mutex> lock(ctx.mutex);
  if (ctx.unimplemented_reported.insert(function).second)
    std::fprintf(gpusim::runtime::diagnostic_stream(),
                 "gpusim: the program called %s, which gpusim's CUDA runtime does not implement "
                 "(docs/CUDA_SUPPORT.md); it returns cudaErrorNotSupported\n",
                 function);
  return set_last_error(cudaErrorNotSupported);
}

}  // namespace gpusim::cudart
