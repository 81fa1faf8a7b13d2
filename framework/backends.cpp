#include "framework/backends.h"

#include "framework/cpu_backend.h"
#include "framework/verifying_backend.h"
#include "runtime/cuda_device.h"

namespace gpusim::framework {

BackendPtr make_backend(const BackendSpec& spec) {
  if (spec.name == "cpu") {
    if (spec.verify) throw FrameworkError("backend: verification compares a device with the CPU; 'cpu' has nothing to verify");
    return make_cpu_backend();
  }
  if (spec.name == "sim" || spec.name == "gpu") {
    // The same kernels either way; a missing GPU or driver surfaces as runtime::Error with the reason.
    std::shared_ptr<runtime::Device> device =
        spec.name == "sim" ? runtime::make_sim_device(spec.sim) : runtime::make_cuda_device(spec.gpu_ordinal);
    BackendPtr backend = std::make_shared<DeviceBackend>(std::move(device), spec.name);
    return spec.verify ? std::make_shared<VerifyingBackend>(backend) : backend;
  }
  throw FrameworkError("backend: unknown backend '" + spec.name + "' (known: cpu, sim, gpu)");
}

DeviceBackend* device_backend_of(const BackendPtr& backend) {
  if (auto* verifying = dynamic_cast<VerifyingBackend*>(backend.get()))
    return dynamic_cast<DeviceBackend*>(verifying->inner().get());
  return dynamic_cast<DeviceBackend*>(backend.get());
}

}  // namespace gpusim::framework
