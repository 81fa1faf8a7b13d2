// The device backend: every op is a CUDA kernel from framework/kernels/*.cu (compiled to PTX
// and embedded at build time) launched through a runtime::Device, i.e. the simulator today and
// a real GPU through the same interface later. Launches can be recorded with their statistics.
#pragma once

#include <map>

#include "framework/backend.h"
#include "runtime/device.h"

namespace gpusim::framework {

class DeviceBuffer : public Buffer {
 public:
  DeviceBuffer(std::shared_ptr<runtime::Device> device, size_t size);
  ~DeviceBuffer() override;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  runtime::DevPtr ptr() const { return ptr_; }

 private:
  std::shared_ptr<runtime::Device> device_;  // keeps the device alive while buffers exist
  runtime::DevPtr ptr_;
};

// One kernel launch, attributed to the tensor op that issued it.
struct LaunchRecord {
  std::string op;
  runtime::LaunchStats stats;
};

class DeviceBackend : public Backend {
 public:
  // `name` is what tensors report as their backend ("sim", "gpu").
  DeviceBackend(std::shared_ptr<runtime::Device> device, std::string name);
  std::string name() const override { return name_; }
  runtime::Device& device() const { return *device_; }

  BufferPtr alloc(size_t size) override;
  void write(Buffer& dst, const float* src, size_t count) override;
  void read(const Buffer& src, float* dst, size_t count) override;
  void fill(Buffer& dst, float value) override;
  void unary(UnaryKind kind, float param, const Buffer& in, Buffer& out) override;
  void binary(BinaryKind kind, const Buffer& a, const Buffer& b, Buffer& out) override;
  void strided_copy(const Buffer& in, const StridedView& view, Buffer& out) override;
  void matmul(const Buffer& a, const Buffer& b, Buffer& out, size_t m, size_t k, size_t n) override;
  void reduce(ReduceKind kind, const Buffer& in, Buffer& out, size_t outer, size_t len, size_t inner) override;
  void log_softmax(const Buffer& in, Buffer& out, size_t rows, size_t cols) override;
  void cross_entropy_rows(const Buffer& logits, const std::vector<int32_t>& labels, Buffer& out, size_t rows,
                          size_t cols) override;
  void one_hot(const std::vector<int32_t>& labels, Buffer& out, size_t rows, size_t cols) override;
  void set_op_label(const std::string& label) override { op_label_ = label; }

  // Launch recording (off by default: a training run would otherwise grow without bound).
  void set_recording(bool on) { recording_ = on; }
  const std::vector<LaunchRecord>& launches() const { return launches_; }
  void clear_launches() { launches_.clear(); }
  // The kernel that ran last (for error messages).
  const std::string& last_kernel() const { return last_kernel_; }

 private:
  void launch(const std::string& module, const std::string& kernel, runtime::Dim3 grid, runtime::Dim3 block,
              const runtime::KernelArgs& args);
  void launch_1d(const std::string& module, const std::string& kernel, size_t threads,
                 const runtime::KernelArgs& args);
  runtime::DevPtr upload_labels(const std::vector<int32_t>& labels);

  std::shared_ptr<runtime::Device> device_;
  std::string name_;
  std::map<std::string, runtime::ModuleHandle> modules_;  // by kernel-file stem
  std::string op_label_;
  std::string last_kernel_;
  bool recording_ = false;
  std::vector<LaunchRecord> launches_;
};

}  // namespace gpusim::framework
