// Resolving the CUDA driver at run time, and naming its errors.
#include "runtime/cuda_driver_api.h"

#include <dlfcn.h>

#include <utility>

#include "runtime/device.h"

namespace gpusim::runtime::cuda {

namespace {

// Looks up `symbol`; `required` entry points missing from the library are an error naming the
// library and the symbol (an old or broken driver installation).
template <typename Fn>
void resolve(void* handle, const std::string& library, const char* symbol, Fn*& slot, bool required = true) {
  dlerror();  // clear any stale message so the one reported belongs to this lookup
  slot = reinterpret_cast<Fn*>(dlsym(handle, symbol));
  if (!slot && required) {
    const char* why = dlerror();
    throw Error(library + " lacks the driver entry point " + symbol + " (dlsym: " + (why ? why : "not found") +
                "); the installed NVIDIA driver is too old or incomplete");
  }
}

// Names for the codes a device most often reports before the driver can name anything itself
// (a stub library answers every call, cuGetErrorName included, with CUDA_ERROR_STUB_LIBRARY).
const char* builtin_error_name(CUresult result) {
  switch (result) {
    case 1: return "CUDA_ERROR_INVALID_VALUE";
    case 2: return "CUDA_ERROR_OUT_OF_MEMORY";
    case 3: return "CUDA_ERROR_NOT_INITIALIZED";
    case 4: return "CUDA_ERROR_DEINITIALIZED";
    case 34: return "CUDA_ERROR_STUB_LIBRARY";
    case 35: return "CUDA_ERROR_INSUFFICIENT_DRIVER";
    case 46: return "CUDA_ERROR_DEVICES_UNAVAILABLE";
    case 100: return "CUDA_ERROR_NO_DEVICE";
    case 101: return "CUDA_ERROR_INVALID_DEVICE";
    case 218: return "CUDA_ERROR_INVALID_PTX";
    case 222: return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
    case 500: return "CUDA_ERROR_NOT_FOUND";
    case 700: return "CUDA_ERROR_ILLEGAL_ADDRESS";
    case 701: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
    case 719: return "CUDA_ERROR_LAUNCH_FAILED";
    case 804: return "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE";
    case 999: return "CUDA_ERROR_UNKNOWN";
    default: return nullptr;
  }
}

}  // namespace

std::shared_ptr<const DriverApi> load_driver(const std::string& library) {
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw Error(library + " not found (dlopen: " + (why ? why : "unknown error") +
                "); the CUDA backend needs an NVIDIA driver");
  }
  auto api = std::make_shared<DriverApi>();
  resolve(handle, library, "cuInit", api->cuInit);
  resolve(handle, library, "cuDriverGetVersion", api->cuDriverGetVersion);
  resolve(handle, library, "cuGetErrorName", api->cuGetErrorName);
  resolve(handle, library, "cuGetErrorString", api->cuGetErrorString);
  resolve(handle, library, "cuDeviceGetCount", api->cuDeviceGetCount);
  resolve(handle, library, "cuDeviceGet", api->cuDeviceGet);
  resolve(handle, library, "cuDeviceGetName", api->cuDeviceGetName);
  resolve(handle, library, "cuDeviceGetAttribute", api->cuDeviceGetAttribute);
  resolve(handle, library, "cuDeviceTotalMem_v2", api->cuDeviceTotalMem);
  resolve(handle, library, "cuDevicePrimaryCtxRetain", api->cuDevicePrimaryCtxRetain);
  resolve(handle, library, "cuDevicePrimaryCtxRelease_v2", api->cuDevicePrimaryCtxRelease);
  resolve(handle, library, "cuDevicePrimaryCtxReset_v2", api->cuDevicePrimaryCtxReset);
  resolve(handle, library, "cuCtxSetCurrent", api->cuCtxSetCurrent);
  resolve(handle, library, "cuCtxSynchronize", api->cuCtxSynchronize);
  resolve(handle, library, "cuMemAlloc_v2", api->cuMemAlloc);
  resolve(handle, library, "cuMemFree_v2", api->cuMemFree);
  resolve(handle, library, "cuMemcpyHtoD_v2", api->cuMemcpyHtoD);
  resolve(handle, library, "cuMemcpyDtoH_v2", api->cuMemcpyDtoH);
  resolve(handle, library, "cuMemsetD8_v2", api->cuMemsetD8);
  resolve(handle, library, "cuModuleLoadDataEx", api->cuModuleLoadDataEx);
  resolve(handle, library, "cuModuleUnload", api->cuModuleUnload);
  resolve(handle, library, "cuModuleGetFunction", api->cuModuleGetFunction);
  resolve(handle, library, "cuFuncSetAttribute", api->cuFuncSetAttribute);
  resolve(handle, library, "cuLaunchKernel", api->cuLaunchKernel);
  resolve(handle, library, "cuLaunchCooperativeKernel", api->cuLaunchCooperativeKernel, false);
  resolve(handle, library, "cuEventCreate", api->cuEventCreate);
  resolve(handle, library, "cuEventDestroy_v2", api->cuEventDestroy);
  resolve(handle, library, "cuEventRecord", api->cuEventRecord);
  resolve(handle, library, "cuEventSynchronize", api->cuEventSynchronize);
  // cuda.h 12.8+ maps cuEventElapsedTime to _v2; older drivers export only the plain name,
  // which has the same signature and meaning for events created with timing enabled.
  resolve(handle, library, "cuEventElapsedTime_v2", api->cuEventElapsedTime, false);
  if (!api->cuEventElapsedTime) resolve(handle, library, "cuEventElapsedTime", api->cuEventElapsedTime);
  resolve(handle, library, "cuFuncGetParamInfo", api->cuFuncGetParamInfo, false);
  resolve(handle, library, "cuCtxSetLimit", api->cuCtxSetLimit, false);
  resolve(handle, library, "cuCtxGetLimit", api->cuCtxGetLimit, false);
  resolve(handle, library, "cuLaunchKernelEx", api->cuLaunchKernelEx, false);
  resolve(handle, library, "cuTensorMapEncodeTiled", api->cuTensorMapEncodeTiled, false);
  return api;
}

std::string describe_error(const DriverApi& api, CUresult result) {
  const char* name = nullptr;
  const char* text = nullptr;
  if (api.cuGetErrorName(result, &name) != kSuccess || !name) name = builtin_error_name(result);
  if (api.cuGetErrorString(result, &text) != kSuccess) text = nullptr;
  std::string out = name ? name : "CUDA error " + std::to_string(result);
  if (text && *text) out += std::string(": ") + text;
  return out;
}

bool is_kernel_fault(CUresult result) {
  switch (result) {
    case 700:  // CUDA_ERROR_ILLEGAL_ADDRESS
    case 702:  // CUDA_ERROR_LAUNCH_TIMEOUT
    case 710:  // CUDA_ERROR_ASSERT
    case 714:  // CUDA_ERROR_HARDWARE_STACK_ERROR
    case 715:  // CUDA_ERROR_ILLEGAL_INSTRUCTION
    case 716:  // CUDA_ERROR_MISALIGNED_ADDRESS
    case 717:  // CUDA_ERROR_INVALID_ADDRESS_SPACE
    case 718:  // CUDA_ERROR_INVALID_PC
    case 719:  // CUDA_ERROR_LAUNCH_FAILED (trap, among others)
    case 721:  // CUDA_ERROR_TENSOR_MEMORY_LEAK
      return true;
    default:
      return false;
  }
}

FaultKind fault_kind(CUresult result) {
  switch (result) {
    case 700: case 717: case 718: return FaultKind::IllegalAddress;
    case 716: return FaultKind::MisalignedAddress;
    case 710: return FaultKind::Assert;
    case 702: return FaultKind::Runaway;
    case 715: return FaultKind::Unsupported;
    case 719: return FaultKind::Trap;  // CUDA_ERROR_LAUNCH_FAILED: what a trap raises, among other causes
    default: return FaultKind::Other;
  }
}

}  // namespace gpusim::runtime::cuda
