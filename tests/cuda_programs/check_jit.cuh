// Shared by the run-time compilation test programs (NVRTC with the driver API or the runtime's
// library management): check.cuh's EXPECT and CHECK, plus the same for CUresult and nvrtcResult.
#pragma once
#include <cuda.h>
#include <nvrtc.h>

#include "check.cuh"

#define CU(call)                                                                        \
  do {                                                                                  \
    CUresult r_ = (call);                                                               \
    if (r_ != CUDA_SUCCESS) {                                                           \
      const char* name_ = "?";                                                          \
      cuGetErrorName(r_, &name_);                                                       \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, name_); \
      std::exit(2);                                                                     \
    }                                                                                   \
  } while (0)

#define NVRTC(call)                                                                                       \
  do {                                                                                                    \
    nvrtcResult r_ = (call);                                                                              \
    if (r_ != NVRTC_SUCCESS) {                                                                            \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, nvrtcGetErrorString(r_)); \
      std::exit(2);                                                                                       \
    }                                                                                                     \
  } while (0)
