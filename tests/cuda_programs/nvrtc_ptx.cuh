// NVRTC to PTX for the driver-API test programs: the source compiled for the simulated device's
// virtual architecture (compute_XX from its compute capability), plus any extra options.
#pragma once
#include <string>
#include <vector>

#include "check_jit.cuh"

// cuInit, device 0 and a new context current on this thread: every driver program's start.
struct DriverStart {
  CUdevice dev;
  CUcontext ctx;
};

inline DriverStart start_driver() {
  DriverStart d{};
  CU(cuInit(0));
  CU(cuDeviceGet(&d.dev, 0));
  CU(cuCtxCreate(&d.ctx, nullptr, 0, d.dev));
  return d;
}

inline std::string compile_ptx(const char* source, const char* name, std::vector<std::string> options = {}) {
  CUdevice dev;
  CU(cuDeviceGet(&dev, 0));
  int major = 0, minor = 0;
  CU(cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
  CU(cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
  options.push_back("--gpu-architecture=compute_" + std::to_string(major * 10 + minor));
  std::vector<const char*> raw;
  for (const std::string& o : options) raw.push_back(o.c_str());
  nvrtcProgram prog;
  NVRTC(nvrtcCreateProgram(&prog, source, name, 0, nullptr, nullptr));
  if (nvrtcCompileProgram(prog, static_cast<int>(raw.size()), raw.data()) != NVRTC_SUCCESS) {
    size_t log_size = 0;
    nvrtcGetProgramLogSize(prog, &log_size);
    std::string log(log_size, '\0');
    nvrtcGetProgramLog(prog, log.data());
    std::fprintf(stderr, "%s: %s\n", name, log.c_str());
    std::exit(2);
  }
  size_t size = 0;
  NVRTC(nvrtcGetPTXSize(prog, &size));
  std::string ptx(size, '\0');
  NVRTC(nvrtcGetPTX(prog, ptx.data()));
  nvrtcDestroyProgram(&prog);
  return ptx;
}
