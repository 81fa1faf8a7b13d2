// CudaDevice: the Device API over the CUDA driver (see cuda_device.h). Every driver call goes
// through `call`, which turns a failure into Error (API misuse, JIT errors, bad launches) or
// KernelFault (errors a running kernel raised), naming the call and the driver's error.
#include "runtime/cuda_device.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <sstream>
#include <vector>

#include "isa/hex_text.h"
#include "runtime/cuda_driver_api.h"

namespace gpusim::runtime {

namespace {

using cuda::CUresult;
using cuda::DeviceAttribute;
using cuda::DriverApi;

// For calls made before a device exists (probing, properties): any failure is an Error.
void check(const DriverApi& api, CUresult result, const std::string& call) {
  if (result != cuda::kSuccess) throw Error(call + " failed: " + cuda::describe_error(api, result));
}

struct OpenedDriver {
  std::shared_ptr<const DriverApi> api;
  int device_count = 0;
  int driver_version = 0;
};

// Loads and initialises the driver; the messages are the reasons probe_cuda reports.
OpenedDriver open_driver(const std::string& library) {
  OpenedDriver d;
  d.api = cuda::load_driver(library);
  check(*d.api, d.api->cuInit(0), "cuInit");
  check(*d.api, d.api->cuDriverGetVersion(&d.driver_version), "cuDriverGetVersion");
  check(*d.api, d.api->cuDeviceGetCount(&d.device_count), "cuDeviceGetCount");
  if (d.device_count <= 0) throw Error("no CUDA device: the driver initialised but cuDeviceGetCount found none");
  return d;
}

cuda::CUdevice device_handle(const OpenedDriver& d, int ordinal) {
  if (ordinal < 0 || ordinal >= d.device_count)
    throw Error("CUDA device ordinal " + std::to_string(ordinal) + " is out of range: the driver found " +
                std::to_string(d.device_count) + " device(s)");
  cuda::CUdevice device = 0;
  check(*d.api, d.api->cuDeviceGet(&device, ordinal), "cuDeviceGet(" + std::to_string(ordinal) + ")");
  return device;
}

CudaDeviceInfo read_info(const OpenedDriver& d, cuda::CUdevice device, int ordinal) {
  const DriverApi& api = *d.api;
  auto attribute = [&](DeviceAttribute a, const char* what) {
    int value = 0;
    check(api, api.cuDeviceGetAttribute(&value, static_cast<int>(a), device),
          std::string("cuDeviceGetAttribute(") + what + ")");
    return value;
  };
  CudaDeviceInfo info;
  info.ordinal = ordinal;
  char name[256] = {};
  check(api, api.cuDeviceGetName(name, sizeof(name) - 1, device), "cuDeviceGetName");
  info.name = name;
  info.compute_capability_major = attribute(DeviceAttribute::ComputeCapabilityMajor, "COMPUTE_CAPABILITY_MAJOR");
  info.compute_capability_minor = attribute(DeviceAttribute::ComputeCapabilityMinor, "COMPUTE_CAPABILITY_MINOR");
  info.sm_count = attribute(DeviceAttribute::MultiprocessorCount, "MULTIPROCESSOR_COUNT");
  info.core_clock_khz = attribute(DeviceAttribute::ClockRate, "CLOCK_RATE");
  info.memory_clock_khz = attribute(DeviceAttribute::MemoryClockRate, "MEMORY_CLOCK_RATE");
  info.memory_bus_width_bits = attribute(DeviceAttribute::GlobalMemoryBusWidth, "GLOBAL_MEMORY_BUS_WIDTH");
  info.l2_bytes = attribute(DeviceAttribute::L2CacheSize, "L2_CACHE_SIZE");
  info.warp_size = attribute(DeviceAttribute::WarpSize, "WARP_SIZE");
  info.max_threads_per_block = attribute(DeviceAttribute::MaxThreadsPerBlock, "MAX_THREADS_PER_BLOCK");
  info.max_threads_per_sm = attribute(DeviceAttribute::MaxThreadsPerMultiprocessor, "MAX_THREADS_PER_MULTIPROCESSOR");
  info.registers_per_sm = attribute(DeviceAttribute::MaxRegistersPerMultiprocessor, "MAX_REGISTERS_PER_MULTIPROCESSOR");
  info.max_shared_per_block = attribute(DeviceAttribute::MaxSharedMemoryPerBlock, "MAX_SHARED_MEMORY_PER_BLOCK");
  info.max_shared_per_block_optin =
      attribute(DeviceAttribute::MaxSharedMemoryPerBlockOptin, "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN");
  info.max_shared_per_sm = attribute(DeviceAttribute::MaxSharedMemoryPerMultiprocessor, "MAX_SHARED_MEMORY_PER_MULTIPROCESSOR");
  check(api, api.cuDeviceTotalMem(&info.total_memory_bytes, device), "cuDeviceTotalMem");
  info.driver_version = d.driver_version;
  return info;
}

struct CudaModule {
  std::string source_name;
  std::string ptx;  // kept for a reload under a register limit (cap_registers)
  cuda::CUmodule module = nullptr;
  std::map<std::string, cuda::CUfunction> functions;
};

// A kernel parameter's byte range in the .param space, as the driver reports it.
struct ParamSlot {
  size_t offset = 0;
  size_t size = 0;
};

class CudaDevice final : public Device {
 public:
  CudaDevice(OpenedDriver driver, int ordinal) : driver_(std::move(driver)), api_(*driver_.api) {
    device_ = device_handle(driver_, ordinal);
    info_ = read_info(driver_, device_, ordinal);
    check(api_, api_.cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain");
    try {
      check(api_, api_.cuCtxSetCurrent(context_), "cuCtxSetCurrent");
      check(api_, api_.cuEventCreate(&start_, 0), "cuEventCreate");
      check(api_, api_.cuEventCreate(&stop_, 0), "cuEventCreate");
    } catch (...) {
      release_context();
      throw;
    }
  }

  ~CudaDevice() override { release_context(); }
  CudaDevice(const CudaDevice&) = delete;
  CudaDevice& operator=(const CudaDevice&) = delete;

  const CudaDeviceInfo& info() const { return info_; }

  // What the driver's attributes say (the fields CudaDeviceInfo reads; the rest keep their defaults).
  DeviceProperties properties() const override {
    DeviceProperties p;
    p.name = info_.name;
    p.compute_major = info_.compute_capability_major;
    p.compute_minor = info_.compute_capability_minor;
    p.sm_count = info_.sm_count;
    p.warp_size = info_.warp_size;
    p.core_clock_khz = info_.core_clock_khz;
    p.memory_clock_khz = info_.memory_clock_khz;
    p.memory_bus_width_bits = info_.memory_bus_width_bits;
    p.total_global_bytes = info_.total_memory_bytes;
    p.l2_bytes = info_.l2_bytes;
    p.max_threads_per_block = info_.max_threads_per_block;
    p.max_threads_per_sm = info_.max_threads_per_sm;
    p.shared_per_block = info_.max_shared_per_block;
    p.shared_per_block_optin = info_.max_shared_per_block_optin;
    p.shared_per_sm = info_.max_shared_per_sm;
    p.registers_per_sm = info_.registers_per_sm;
    return p;
  }

  std::string name() const override {
    return "cuda:" + std::to_string(info_.ordinal) + " " + info_.name + " (sm_" +
           std::to_string(info_.compute_capability_major) + std::to_string(info_.compute_capability_minor) +
           ", driver " + info_.driver_version_text() + ")";
  }

  DevPtr alloc(size_t bytes) override {
    bind();
    cuda::CUdeviceptr p = 0;
    // The driver rejects empty allocations; the simulator accepts them, so hand out one byte.
    call(api_.cuMemAlloc(&p, bytes ? bytes : 1), "cuMemAlloc(" + std::to_string(bytes) + " bytes)");
    allocations_[p] = bytes;
    return p;
  }

  void free(DevPtr ptr) override {
    bind();
    auto it = allocations_.find(ptr);
    if (it == allocations_.end())
      throw Error("free of " + isa::hex_text(ptr) + ", which is not the start of a live allocation");
    call(api_.cuMemFree(ptr), "cuMemFree(" + isa::hex_text(ptr) + ")");
    allocations_.erase(it);
  }

  void copy_to_device(DevPtr dst, const void* src, size_t bytes) override {
    bind();
    require_inside(dst, bytes, "copy to device");
    if (bytes) call(api_.cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD(" + isa::hex_text(dst) + ")");
  }

  void copy_to_host(void* dst, DevPtr src, size_t bytes) override {
    bind();
    require_inside(src, bytes, "copy to host");
    if (bytes) call(api_.cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH(" + isa::hex_text(src) + ")");
  }

  void memset(DevPtr dst, int value, size_t bytes) override {
    bind();
    require_inside(dst, bytes, "memset");
    if (bytes) call(api_.cuMemsetD8(dst, static_cast<unsigned char>(value), bytes), "cuMemsetD8(" + isa::hex_text(dst) + ")");
  }

  void synchronize() override {
    bind();
    call(api_.cuCtxSynchronize(), "cuCtxSynchronize");
  }

  // Forwarded to the driver (CUlimit values follow DeviceLimit's order) where it has them.
  void set_limit(DeviceLimit limit, uint64_t value) override {
    if (!api_.cuCtxSetLimit) return Device::set_limit(limit, value);  // throws: not supported
    bind();
    call(api_.cuCtxSetLimit(static_cast<int>(limit), static_cast<size_t>(value)),
         std::string("cuCtxSetLimit(") + device_limit_name(limit) + ")");
  }
  uint64_t get_limit(DeviceLimit limit) override {
    if (!api_.cuCtxGetLimit) return Device::get_limit(limit);
    bind();
    size_t value = 0;
    call(api_.cuCtxGetLimit(&value, static_cast<int>(limit)), std::string("cuCtxGetLimit(") + device_limit_name(limit) + ")");
    return value;
  }

  ModuleHandle load_ptx(const std::string& source_name, const std::string& ptx) override {
    bind();
    auto m = std::make_unique<CudaModule>();
    m->source_name = source_name;
    m->ptx = ptx;
    jit(*m, 0);
    modules_.push_back(std::move(m));
    return static_cast<ModuleHandle>(modules_.size() - 1);
  }

  // nvcc -maxrregcount=N for PTX loaded here: the driver's JIT compiles it again with
  // CU_JIT_MAX_REGISTERS, as it would the PTX of a fat binary built with the flag.
  void cap_registers(ModuleHandle handle, unsigned max_registers) override {
    bind();
    if (handle < 0 || static_cast<size_t>(handle) >= modules_.size())
      throw Error("cap_registers: invalid module handle " + std::to_string(handle));
    CudaModule& m = *modules_[static_cast<size_t>(handle)];
    api_.cuModuleUnload(m.module);
    m.module = nullptr;
    m.functions.clear();
    jit(m, max_registers);
  }

 private:
  // Loads m.ptx into m.module (max_registers 0: no limit).
  void jit(CudaModule& m, unsigned max_registers) {
    const std::string& source_name = m.source_name;
    // The driver's JIT writes its diagnostics into this buffer (size one less than its length,
    // so the text stays NUL-terminated); the log is what a user needs to fix malformed PTX, so
    // it goes into the exception.
    std::vector<char> error_log(16384, '\0');
    int options[] = {cuda::kJitErrorLogBuffer, cuda::kJitErrorLogBufferSizeBytes, cuda::kJitMaxRegisters};
    void* values[] = {error_log.data(), reinterpret_cast<void*>(static_cast<uintptr_t>(error_log.size() - 1)),
                      reinterpret_cast<void*>(static_cast<uintptr_t>(max_registers))};
    const CUresult r = api_.cuModuleLoadDataEx(&m.module, m.ptx.c_str(), max_registers ? 3 : 2, options, values);
    if (r != cuda::kSuccess) {
      std::string message = "cuModuleLoadDataEx(" + source_name + "): " + cuda::describe_error(api_, r);
      const std::string log(error_log.data());
      if (!log.empty()) message += "\n" + log;
      if (cuda::is_kernel_fault(r)) {
        lost_reason_ = message;
        throw KernelFault("kernel fault: " + message, cuda::fault_kind(r));
      }
      throw Error(message);
    }
  }

 public:
  LaunchStats launch(ModuleHandle handle, const std::string& kernel, const LaunchConfig& cfg,
                     const KernelArgs& args) override {
    bind();
    if (handle < 0 || static_cast<size_t>(handle) >= modules_.size())
      throw Error("launch of '" + kernel + "': invalid module handle " + std::to_string(handle));
    CudaModule& m = *modules_[static_cast<size_t>(handle)];
    const cuda::CUfunction fn = function(m, kernel);
    check_arguments(fn, kernel, args);
    const std::string where = "cuLaunchKernel(" + kernel + " in " + m.source_name + ")";
    if (cfg.dynamic_shared_bytes > cuda::kDefaultSharedLimitBytes) {
      if (cfg.dynamic_shared_bytes > static_cast<uint32_t>(info_.max_shared_per_block_optin))
        throw Error(where + ": " + std::to_string(cfg.dynamic_shared_bytes) +
                    " bytes of dynamic shared memory exceed the device's per-block limit of " +
                    std::to_string(info_.max_shared_per_block_optin));
      call(api_.cuFuncSetAttribute(fn, cuda::kFuncAttributeMaxDynamicSharedSizeBytes,
                                   static_cast<int>(cfg.dynamic_shared_bytes)),
           "cuFuncSetAttribute(" + kernel + ", MAX_DYNAMIC_SHARED_SIZE_BYTES)");
    }
    // cuLaunchKernel takes one pointer per parameter, to that parameter's bytes.
    std::vector<void*> params;
    params.reserve(args.size());
    for (const KernelArg& a : args) params.push_back(const_cast<uint8_t*>(a.bytes.data()));

    LaunchStats stats;
    stats.kernel = kernel;
    stats.ctas = cfg.grid.count();
    const auto t0 = std::chrono::steady_clock::now();
    call(api_.cuEventRecord(start_, nullptr), "cuEventRecord");
    if (cfg.cluster.count() > 1) {
      launch_clusters(fn, kernel, m.source_name, cfg, params);
    } else if (cfg.cooperative) {
      if (!api_.cuLaunchCooperativeKernel) throw Error(where + ": the CUDA driver has no cuLaunchCooperativeKernel");
      call(api_.cuLaunchCooperativeKernel(fn, cfg.grid.x, cfg.grid.y, cfg.grid.z, cfg.block.x, cfg.block.y,
                                          cfg.block.z, cfg.dynamic_shared_bytes, nullptr,
                                          params.empty() ? nullptr : params.data()),
           "cuLaunchCooperativeKernel(" + kernel + " in " + m.source_name + ")");
    } else {
      call(api_.cuLaunchKernel(fn, cfg.grid.x, cfg.grid.y, cfg.grid.z, cfg.block.x, cfg.block.y, cfg.block.z,
                               cfg.dynamic_shared_bytes, nullptr, params.empty() ? nullptr : params.data(), nullptr),
           where);
    }
    // Faults raised by the kernel surface in whichever call comes next (normally the wait for the
    // stop event), so all of them name the kernel.
    const std::string running = "kernel " + kernel + " (" + m.source_name + ")";
    call(api_.cuEventRecord(stop_, nullptr), running + ", cuEventRecord");
    call(api_.cuEventSynchronize(stop_), running);
    stats.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    float ms = 0.0f;
    call(api_.cuEventElapsedTime(&ms, start_, stop_), running + ", cuEventElapsedTime");
    stats.seconds = static_cast<double>(ms) * 1e-3;
    return stats;
  }

  // The real driver's encoder: its CUtensorMap format is private, so the bytes go to the kernel
  // untouched. The enum values pass through as they are (they are cuda.h's).
  KernelArg encode_tensor_map_tiled(const TiledTensorMapSpec& spec) override {
    bind();
    if (!api_.cuTensorMapEncodeTiled)
      throw Error("encode_tensor_map_tiled: the CUDA driver (" + std::string(kCudaDriverLibrary) + ", driver " +
                  info_.driver_version_text() + ") lacks cuTensorMapEncodeTiled, which needs CUDA 12.0 or newer");
    if (spec.rank < 1 || spec.rank > kTensorMapMaxRank)
      throw Error("cuTensorMapEncodeTiled: tensorRank " + std::to_string(spec.rank) + " is outside 1..5");
    cuda::TensorMap map{};
    std::array<cuda::cuuint64_t, kTensorMapMaxRank> dims{}, strides{};
    std::array<cuda::cuuint32_t, kTensorMapMaxRank> box{}, element_strides{};
    for (unsigned d = 0; d < spec.rank; ++d) {
      dims[d] = spec.global_dims[d];
      box[d] = spec.box[d];
      element_strides[d] = spec.element_strides[d];
      if (d + 1 < spec.rank) strides[d] = spec.global_strides[d];
    }
    call(api_.cuTensorMapEncodeTiled(&map, static_cast<int>(spec.data_type), spec.rank,
                                     reinterpret_cast<void*>(static_cast<uintptr_t>(spec.global_address)), dims.data(),
                                     strides.data(), box.data(), element_strides.data(),
                                     static_cast<int>(spec.interleave), static_cast<int>(spec.swizzle),
                                     static_cast<int>(spec.l2_promotion), static_cast<int>(spec.oob_fill)),
         "cuTensorMapEncodeTiled(rank " + std::to_string(spec.rank) + ", address " + isa::hex_text(spec.global_address) + ")");
    KernelArg arg;
    arg.bytes.assign(map.bytes, map.bytes + sizeof(map.bytes));
    return arg;
  }

 private:
  // A launch with a thread-block cluster shape: cuLaunchKernelEx with the cluster-dimension
  // attribute (and the cooperative one when asked); clusters above the portable 8 CTAs need the
  // kernel's non-portable-size attribute first.
  void launch_clusters(cuda::CUfunction fn, const std::string& kernel, const std::string& source,
                       const LaunchConfig& cfg, std::vector<void*>& params) {
    const std::string where = "cuLaunchKernelEx(" + kernel + " in " + source + ")";
    if (!api_.cuLaunchKernelEx)
      throw Error(where + ": the CUDA driver lacks cuLaunchKernelEx, which cluster launches need (CUDA 12.0 or newer)");
    if (cfg.cluster.count() > cuda::kPortableClusterCtas)
      call(api_.cuFuncSetAttribute(fn, cuda::kFuncAttributeNonPortableClusterSizeAllowed, 1),
           "cuFuncSetAttribute(" + kernel + ", NON_PORTABLE_CLUSTER_SIZE_ALLOWED)");
    cuda::LaunchAttribute attrs[2];
    attrs[0].id = cuda::kLaunchAttributeClusterDimension;
    attrs[0].value.cluster_dim = {cfg.cluster.x, cfg.cluster.y, cfg.cluster.z};
    attrs[1].id = cuda::kLaunchAttributeCooperative;
    attrs[1].value.cooperative = 1;
    cuda::LaunchConfig launch;
    launch.grid_x = cfg.grid.x, launch.grid_y = cfg.grid.y, launch.grid_z = cfg.grid.z;
    launch.block_x = cfg.block.x, launch.block_y = cfg.block.y, launch.block_z = cfg.block.z;
    launch.shared_bytes = cfg.dynamic_shared_bytes;
    launch.attrs = attrs;
    launch.num_attrs = cfg.cooperative ? 2 : 1;
    call(api_.cuLaunchKernelEx(&launch, fn, params.empty() ? nullptr : params.data(), nullptr), where);
  }

  // Makes this device's context current on the calling thread, and refuses to go on once a
  // kernel fault has left the context unusable.
  void bind() {
    if (!lost_reason_.empty())
      throw Error("CUDA device " + std::to_string(info_.ordinal) + " is unusable after an earlier kernel fault (" +
                  lost_reason_ + "); CUDA cannot recover the context or its allocations; restart the process to use the GPU again");
    call(api_.cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  }

  void call(CUresult result, const std::string& what) {
    if (result == cuda::kSuccess) return;
    const std::string message = what + ": " + cuda::describe_error(api_, result);
    if (cuda::is_kernel_fault(result)) {
      lost_reason_ = message;
      throw KernelFault("kernel fault: " + message, cuda::fault_kind(result));
    }
    throw Error(message);
  }

  // Host-side copies must stay inside one allocation, as in the simulator (the driver would
  // silently accept a copy that strays into a neighbouring allocation).
  void require_inside(DevPtr addr, size_t bytes, const char* what) const {
    auto it = allocations_.upper_bound(addr);
    if (it != allocations_.begin()) {
      --it;
      const uint64_t end = it->first + it->second;
      if (addr >= it->first && addr <= end && bytes <= end - addr) return;
      std::ostringstream os;
      os << what << ": [" << isa::hex_text(addr) << ", +" << bytes << ") is not inside one allocation (nearest below: "
         << isa::hex_text(it->first) << ", " << it->second << " bytes)";
      throw Error(os.str());
    }
    throw Error(std::string(what) + ": [" + isa::hex_text(addr) + ", +" + std::to_string(bytes) +
                ") is not inside any allocation");
  }

  cuda::CUfunction function(CudaModule& m, const std::string& kernel) {
    auto it = m.functions.find(kernel);
    if (it != m.functions.end()) return it->second;
    cuda::CUfunction fn = nullptr;
    const CUresult r = api_.cuModuleGetFunction(&fn, m.module, kernel.c_str());
    if (r == cuda::kErrorNotFound) throw KernelNotFound("no kernel named '" + kernel + "' in " + m.source_name);
    call(r, "cuModuleGetFunction(" + kernel + ", " + m.source_name + ")");
    m.functions.emplace(kernel, fn);
    return fn;
  }

  // The driver reads each parameter's bytes blindly, so a missing or mis-sized argument would
  // hand the kernel garbage; check them against the layout the driver reports (when it can).
  void check_arguments(cuda::CUfunction fn, const std::string& kernel, const KernelArgs& args) {
    if (!api_.cuFuncGetParamInfo) return;
    std::vector<ParamSlot> slots;
    for (size_t i = 0;; ++i) {
      ParamSlot s;
      const CUresult r = api_.cuFuncGetParamInfo(fn, i, &s.offset, &s.size);
      if (r == cuda::kSuccess) {
        slots.push_back(s);
        continue;
      }
      // Documented answer past the last parameter: CUDA_ERROR_INVALID_VALUE. Anything else on the
      // first index means the layout is unavailable (e.g. unsupported), and launches go unchecked.
      if (i == 0 && r != cuda::kErrorInvalidValue) return;
      break;
    }
    if (args.size() != slots.size())
      throw Error("kernel '" + kernel + "' takes " + std::to_string(slots.size()) + " parameters, the launch passed " +
                  std::to_string(args.size()));
    for (size_t i = 0; i < args.size(); ++i)
      if (args[i].bytes.size() != slots[i].size)
        throw Error("kernel '" + kernel + "' parameter " + std::to_string(i) + " (" + std::to_string(slots[i].size) +
                    " bytes) was given " + std::to_string(args[i].bytes.size()) + " bytes");
  }

  // Destructor path: never throws. After a kernel fault the context is poisoned for every user
  // of the primary context, so it is reset (which frees everything and lets the next
  // make_cuda_device start clean); resetting does not drop our reference, so it is released too.
  void release_context() {
    if (!context_) return;
    if (!lost_reason_.empty()) {
      api_.cuDevicePrimaryCtxReset(device_);
    } else if (api_.cuCtxSetCurrent(context_) == cuda::kSuccess) {
      for (const auto& m : modules_) api_.cuModuleUnload(m->module);
      for (const auto& [ptr, bytes] : allocations_) api_.cuMemFree(ptr);
      if (start_) api_.cuEventDestroy(start_);
      if (stop_) api_.cuEventDestroy(stop_);
    }
    api_.cuDevicePrimaryCtxRelease(device_);
    context_ = nullptr;
  }

  OpenedDriver driver_;
  const DriverApi& api_;
  cuda::CUdevice device_ = 0;
  CudaDeviceInfo info_;
  cuda::CUcontext context_ = nullptr;
  cuda::CUevent start_ = nullptr;
  cuda::CUevent stop_ = nullptr;
  std::vector<std::unique_ptr<CudaModule>> modules_;
  std::map<DevPtr, size_t> allocations_;
  std::string lost_reason_;  // set by the first kernel fault; the context is unusable from then on
};

}  // namespace

std::string CudaDeviceInfo::compute_capability() const {
  return std::to_string(compute_capability_major) + "." + std::to_string(compute_capability_minor);
}

std::string CudaDeviceInfo::driver_version_text() const {
  return std::to_string(driver_version / 1000) + "." + std::to_string(driver_version % 1000 / 10);
}

CudaAvailability probe_cuda(const std::string& library) {
  CudaAvailability a;
  try {
    const OpenedDriver d = open_driver(library);
    a.available = true;
    a.device_count = d.device_count;
    a.driver_version = d.driver_version;
  } catch (const std::exception& e) {
    a.reason = e.what();
  }
  return a;
}

std::unique_ptr<Device> make_cuda_device(int ordinal, const std::string& library) {
  return std::make_unique<CudaDevice>(open_driver(library), ordinal);
}

CudaDeviceInfo query_cuda_device_info(int ordinal, const std::string& library) {
  const OpenedDriver d = open_driver(library);
  return read_info(d, device_handle(d, ordinal), ordinal);
}

const CudaDeviceInfo* cuda_device_info(const Device& device) {
  const auto* cuda_device = dynamic_cast<const CudaDevice*>(&device);
  return cuda_device ? &cuda_device->info() : nullptr;
}

}  // namespace gpusim::runtime
