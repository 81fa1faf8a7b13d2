// The slice of the CUDA driver API that CudaDevice uses, found at run time with dlopen/dlsym.
// The binary never links libcuda and never includes cuda.h (the toolkit may be absent where it
// runs), so the handful of types, enum values and signatures needed are declared here, with the
// numeric values of the CUDA 13 cuda.h. Each entry point is the ABI name the driver exports
// (the `_v2` variants where cuda.h #defines the plain name to one).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "runtime/device.h"  // FaultKind

namespace gpusim::runtime::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUevent_st;
struct CUstream_st;
using CUcontext = CUctx_st*;
using CUmodule = CUmod_st*;
using CUfunction = CUfunc_st*;
using CUevent = CUevent_st*;
using CUstream = CUstream_st*;

// CUresult values the device treats specially (others are only named, via cuGetErrorName).
inline constexpr CUresult kSuccess = 0;
inline constexpr CUresult kErrorInvalidValue = 1;
inline constexpr CUresult kErrorNotFound = 500;

// CUdevice_attribute values.
enum class DeviceAttribute : int {
  MaxThreadsPerBlock = 1,
  MaxSharedMemoryPerBlock = 8,
  WarpSize = 10,
  ClockRate = 13,              // kHz
  MultiprocessorCount = 16,
  MemoryClockRate = 36,        // kHz
  GlobalMemoryBusWidth = 37,   // bits
  L2CacheSize = 38,            // bytes
  MaxThreadsPerMultiprocessor = 39,
  ComputeCapabilityMajor = 75,
  ComputeCapabilityMinor = 76,
  MaxSharedMemoryPerMultiprocessor = 81,
  MaxRegistersPerMultiprocessor = 82,
  MaxSharedMemoryPerBlockOptin = 97,
};

// CUjit_option values.
inline constexpr int kJitMaxRegisters = 0;  // CU_JIT_MAX_REGISTERS
inline constexpr int kJitErrorLogBuffer = 5;
inline constexpr int kJitErrorLogBufferSizeBytes = 6;
// CUfunction_attribute values.
inline constexpr int kFuncAttributeMaxDynamicSharedSizeBytes = 8;
inline constexpr int kFuncAttributeNonPortableClusterSizeAllowed = 14;
// Clusters of more CTAs than this need the non-portable attribute above (CUDA Programming Guide).
inline constexpr unsigned kPortableClusterCtas = 8;

// cuLaunchKernelEx's configuration, laid out as cuda.h's CUlaunchConfig / CUlaunchAttribute
// (tests/cudadrv checks the layout against the toolkit's header). Only the attributes the
// backend sets are named.
inline constexpr int kLaunchAttributeCooperative = 2;
inline constexpr int kLaunchAttributeClusterDimension = 4;
struct LaunchAttribute {
  int id = 0;
  char pad[8 - sizeof(int)] = {};
  union Value {
    char pad[64];
    int cooperative;
    struct {
      unsigned x, y, z;
    } cluster_dim;
  } value{};
};
struct LaunchConfig {
  unsigned grid_x = 1, grid_y = 1, grid_z = 1;
  unsigned block_x = 1, block_y = 1, block_z = 1;
  unsigned shared_bytes = 0;
  CUstream stream = nullptr;
  LaunchAttribute* attrs = nullptr;
  unsigned num_attrs = 0;
};

// A CUtensorMap: 128 opaque bytes, 128-byte aligned as CUDA 13's cuda.h declares it (12.x: 64).
struct alignas(128) TensorMap {
  unsigned char bytes[128];
};
using cuuint32_t = unsigned int;
using cuuint64_t = unsigned long long;
// Dynamic shared memory above this needs the opt-in attribute above.
inline constexpr unsigned kDefaultSharedLimitBytes = 48 * 1024;

struct DriverApi {
  CUresult (*cuInit)(unsigned flags) = nullptr;
  CUresult (*cuDriverGetVersion)(int* version) = nullptr;
  CUresult (*cuGetErrorName)(CUresult error, const char** name) = nullptr;
  CUresult (*cuGetErrorString)(CUresult error, const char** text) = nullptr;
  CUresult (*cuDeviceGetCount)(int* count) = nullptr;
  CUresult (*cuDeviceGet)(CUdevice* device, int ordinal) = nullptr;
  CUresult (*cuDeviceGetName)(char* name, int length, CUdevice device) = nullptr;
  CUresult (*cuDeviceGetAttribute)(int* value, int attribute, CUdevice device) = nullptr;
  CUresult (*cuDeviceTotalMem)(size_t* bytes, CUdevice device) = nullptr;
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext* context, CUdevice device) = nullptr;
  CUresult (*cuDevicePrimaryCtxRelease)(CUdevice device) = nullptr;
  CUresult (*cuDevicePrimaryCtxReset)(CUdevice device) = nullptr;
  CUresult (*cuCtxSetCurrent)(CUcontext context) = nullptr;
  CUresult (*cuCtxSynchronize)() = nullptr;
  CUresult (*cuMemAlloc)(CUdeviceptr* ptr, size_t bytes) = nullptr;
  CUresult (*cuMemFree)(CUdeviceptr ptr) = nullptr;
  CUresult (*cuMemcpyHtoD)(CUdeviceptr dst, const void* src, size_t bytes) = nullptr;
  CUresult (*cuMemcpyDtoH)(void* dst, CUdeviceptr src, size_t bytes) = nullptr;
  CUresult (*cuMemsetD8)(CUdeviceptr dst, unsigned char value, size_t count) = nullptr;
  CUresult (*cuModuleLoadDataEx)(CUmodule* module, const void* image, unsigned num_options, int* options,
                                 void** option_values) = nullptr;
  CUresult (*cuModuleUnload)(CUmodule module) = nullptr;
  CUresult (*cuModuleGetFunction)(CUfunction* function, CUmodule module, const char* name) = nullptr;
  CUresult (*cuFuncSetAttribute)(CUfunction function, int attribute, int value) = nullptr;
  CUresult (*cuLaunchKernel)(CUfunction function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                             unsigned block_x, unsigned block_y, unsigned block_z, unsigned shared_bytes,
                             CUstream stream, void** kernel_params, void** extra) = nullptr;
  CUresult (*cuLaunchCooperativeKernel)(CUfunction function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                                        unsigned block_x, unsigned block_y, unsigned block_z,
                                        unsigned shared_bytes, CUstream stream, void** kernel_params) = nullptr;
  CUresult (*cuEventCreate)(CUevent* event, unsigned flags) = nullptr;
  CUresult (*cuEventDestroy)(CUevent event) = nullptr;
  CUresult (*cuEventRecord)(CUevent event, CUstream stream) = nullptr;
  CUresult (*cuEventSynchronize)(CUevent event) = nullptr;
  CUresult (*cuEventElapsedTime)(float* milliseconds, CUevent start, CUevent end) = nullptr;
  // Optional (CUDA 12.4+): the parameter layout of a kernel, used to check launch arguments.
  // Null when the installed driver predates it; launches then go unchecked.
  CUresult (*cuFuncGetParamInfo)(CUfunction function, size_t index, size_t* offset, size_t* size) = nullptr;
  // Optional: device limits (CU_LIMIT_STACK_SIZE 0, CU_LIMIT_PRINTF_FIFO_SIZE 1,
  // CU_LIMIT_MALLOC_HEAP_SIZE 2) of the current context; null where the library lacks them.
  CUresult (*cuCtxSetLimit)(int limit, size_t value) = nullptr;
  CUresult (*cuCtxGetLimit)(size_t* value, int limit) = nullptr;
  // Optional (CUDA 12.0+, resolved when the library is opened, an error naming the function only
  // when a caller needs it): the extended launch (thread-block clusters) and the driver's own
  // tensor-map encoder (the enum arguments as int, their cuda.h values).
  CUresult (*cuLaunchKernelEx)(const LaunchConfig* config, CUfunction function, void** kernel_params,
                               void** extra) = nullptr;
  CUresult (*cuTensorMapEncodeTiled)(TensorMap* tensor_map, int data_type, cuuint32_t rank, void* global_address,
                                     const cuuint64_t* global_dim, const cuuint64_t* global_strides,
                                     const cuuint32_t* box_dim, const cuuint32_t* element_strides, int interleave,
                                     int swizzle, int l2_promotion, int oob_fill) = nullptr;
};

// Opens the driver library and resolves every entry point. Throws runtime::Error with the reason
// ("libcuda.so.1 not found (dlopen: ...)", "libcuda.so.1 lacks cuMemAlloc_v2 ...").
// The library is never unloaded: the driver keeps threads and exit handlers inside it, and the
// loader reference-counts repeated opens, so each device simply holds its own table.
std::shared_ptr<const DriverApi> load_driver(const std::string& library);

// "CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered"; falls back to a
// built-in name (or the number) when the driver cannot name the code, e.g. a stub library.
std::string describe_error(const DriverApi& api, CUresult result);

// Errors that a running kernel raises (surfacing at launch, synchronize or a later call); they
// leave the CUDA context unusable ("sticky"), unlike API-misuse errors.
bool is_kernel_fault(CUresult result);
// The fault kind of such an error (CUDA_ERROR_ILLEGAL_ADDRESS -> IllegalAddress, ...).
FaultKind fault_kind(CUresult result);

}  // namespace gpusim::runtime::cuda
