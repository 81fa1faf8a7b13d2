#include "framework/device_backend.h"

#include <limits>

#include "framework/cpu_backend.h"
#include "framework/shape.h"
#include "workloads/embedded_ptx.h"

namespace gpusim::framework {
namespace {

constexpr const char* kModules[] = {"fw_elementwise", "fw_matmul", "fw_layout", "fw_reduce", "fw_softmax"};
constexpr uint32_t kBlock = 256;
constexpr uint32_t kTile = 16;  // FW_TILE in fw_matmul.cu

const DeviceBuffer& dev(const Buffer& b) {
  auto* d = dynamic_cast<const DeviceBuffer*>(&b);
  if (!d) throw FrameworkError("device backend: buffer belongs to another backend");
  return *d;
}

// Kernel parameters are 32-bit: reject sizes that would silently wrap.
unsigned u32(size_t v, const char* what) {
  if (v > std::numeric_limits<uint32_t>::max())
    throw FrameworkError(std::string("device backend: ") + what + " of " + std::to_string(v) +
                         " exceeds the kernels' 32-bit indexing");
  return static_cast<unsigned>(v);
}

uint32_t blocks_for(size_t threads, uint32_t block) {
  return static_cast<uint32_t>(std::max<size_t>(1, (threads + block - 1) / block));
}

// Frees a temporary device allocation (labels, view descriptors) when the launch is done.
struct ScopedDeviceAlloc {
  runtime::Device& device;
  runtime::DevPtr ptr;
  ~ScopedDeviceAlloc() { device.free(ptr); }
};

}  // namespace

DeviceBuffer::DeviceBuffer(std::shared_ptr<runtime::Device> device, size_t size)
    : Buffer(size), device_(std::move(device)), ptr_(device_->alloc(std::max<size_t>(size, 1) * sizeof(float))) {}

DeviceBuffer::~DeviceBuffer() { device_->free(ptr_); }

DeviceBackend::DeviceBackend(std::shared_ptr<runtime::Device> device, std::string name)
    : device_(std::move(device)), name_(std::move(name)) {
  if (!device_) throw FrameworkError("device backend: no device given");
  for (const char* stem : kModules) {
    const workloads::EmbeddedPtx& ptx = workloads::find_embedded_ptx(stem);
    modules_[stem] = device_->load_ptx(ptx.source_path, ptx.ptx);
  }
}

void DeviceBackend::launch(const std::string& module, const std::string& kernel, runtime::Dim3 grid,
                           runtime::Dim3 block, const runtime::KernelArgs& args) {
  last_kernel_ = kernel;
  runtime::LaunchConfig cfg;
  cfg.grid = grid;
  cfg.block = block;
  runtime::LaunchStats stats = device_->launch(modules_.at(module), kernel, cfg, args);
  if (stats.kernel.empty()) stats.kernel = kernel;
  if (recording_) launches_.push_back({op_label_, stats});
}

void DeviceBackend::launch_1d(const std::string& module, const std::string& kernel, size_t threads,
                              const runtime::KernelArgs& args) {
  launch(module, kernel, {blocks_for(threads, kBlock), 1, 1}, {kBlock, 1, 1}, args);
}

BufferPtr DeviceBackend::alloc(size_t size) { return std::make_shared<DeviceBuffer>(device_, size); }

void DeviceBackend::write(Buffer& dst, const float* src, size_t count) {
  if (count > dst.size()) throw FrameworkError("device backend: write of " + std::to_string(count) +
                                               " values into a buffer of " + std::to_string(dst.size()));
  device_->copy_to_device(dev(dst).ptr(), src, count * sizeof(float));
}

void DeviceBackend::read(const Buffer& src, float* dst, size_t count) {
  if (count > src.size()) throw FrameworkError("device backend: read of " + std::to_string(count) +
                                               " values from a buffer of " + std::to_string(src.size()));
  device_->copy_to_host(dst, dev(src).ptr(), count * sizeof(float));
}

void DeviceBackend::fill(Buffer& dst, float value) {
  if (dst.size() == 0) return;
  launch_1d("fw_elementwise", "fw_fill", dst.size(), runtime::args(dev(dst).ptr(), u32(dst.size(), "fill size"), value));
}

void DeviceBackend::unary(UnaryKind kind, float param, const Buffer& in, Buffer& out) {
  if (out.size() == 0) return;
  launch_1d("fw_elementwise", std::string("fw_") + name_of(kind), out.size(),
            runtime::args(dev(in).ptr(), dev(out).ptr(), u32(out.size(), "element count"), param));
}

void DeviceBackend::binary(BinaryKind kind, const Buffer& a, const Buffer& b, Buffer& out) {
  if (out.size() == 0) return;
  launch_1d("fw_elementwise", std::string("fw_") + name_of(kind), out.size(),
            runtime::args(dev(a).ptr(), dev(b).ptr(), dev(out).ptr(), u32(out.size(), "element count")));
}

void DeviceBackend::strided_copy(const Buffer& in, const StridedView& view, Buffer& out) {
  const size_t count = numel(view.out_shape);
  if (count == 0) return;
  const size_t ndim = view.out_shape.size();
  if (ndim > kMaxViewDims)
    throw FrameworkError("device backend: strided copy of " + std::to_string(ndim) + " dimensions (at most " +
                         std::to_string(kMaxViewDims) + ")");
  // The view travels as a small device array: sizes, then strides.
  std::vector<uint32_t> packed;
  for (size_t s : view.out_shape) packed.push_back(u32(s, "view size"));
  for (size_t s : view.in_strides) packed.push_back(u32(s, "view stride"));
  if (packed.empty()) packed.push_back(1);  // a 0-d copy still needs a valid pointer
  const runtime::DevPtr view_ptr = device_->upload(packed);
  const ScopedDeviceAlloc release{*device_, view_ptr};
  launch_1d("fw_layout", "fw_strided_copy", count,
            runtime::args(dev(in).ptr(), dev(out).ptr(), view_ptr, u32(ndim, "ndim"), u32(count, "element count")));
}

void DeviceBackend::matmul(const Buffer& a, const Buffer& b, Buffer& out, size_t m, size_t k, size_t n) {
  if (m == 0 || n == 0) return;
  const runtime::Dim3 grid{blocks_for(n, kTile), blocks_for(m, kTile), 1};
  launch("fw_matmul", "fw_matmul", grid, {kTile, kTile, 1},
         runtime::args(dev(a).ptr(), dev(b).ptr(), dev(out).ptr(), u32(m, "m"), u32(k, "k"), u32(n, "n")));
}

void DeviceBackend::reduce(ReduceKind kind, const Buffer& in, Buffer& out, size_t outer, size_t len, size_t inner) {
  if (outer * inner == 0) return;
  launch_1d("fw_reduce", std::string("fw_reduce_") + name_of(kind), outer * inner,
            runtime::args(dev(in).ptr(), dev(out).ptr(), u32(outer, "outer"), u32(len, "len"), u32(inner, "inner")));
}

void DeviceBackend::log_softmax(const Buffer& in, Buffer& out, size_t rows, size_t cols) {
  if (rows == 0) return;
  launch_1d("fw_softmax", "fw_log_softmax", rows,
            runtime::args(dev(in).ptr(), dev(out).ptr(), u32(rows, "rows"), u32(cols, "cols")));
}

runtime::DevPtr DeviceBackend::upload_labels(const std::vector<int32_t>& labels) {
  return labels.empty() ? device_->alloc(4) : device_->upload(labels);
}

void DeviceBackend::cross_entropy_rows(const Buffer& logits, const std::vector<int32_t>& labels, Buffer& out,
                                       size_t rows, size_t cols) {
  check_labels(labels, rows, cols, "cross_entropy");
  const runtime::DevPtr labels_ptr = upload_labels(labels);
  const ScopedDeviceAlloc release{*device_, labels_ptr};
  if (rows == 0) return;
  launch_1d("fw_softmax", "fw_cross_entropy_rows", rows,
            runtime::args(dev(logits).ptr(), labels_ptr, dev(out).ptr(), u32(rows, "rows"), u32(cols, "cols")));
}

void DeviceBackend::one_hot(const std::vector<int32_t>& labels, Buffer& out, size_t rows, size_t cols) {
  check_labels(labels, rows, cols, "one_hot");
  const runtime::DevPtr labels_ptr = upload_labels(labels);
  const ScopedDeviceAlloc release{*device_, labels_ptr};
  if (rows * cols == 0) return;
  launch_1d("fw_layout", "fw_one_hot", rows * cols,
            runtime::args(labels_ptr, dev(out).ptr(), u32(rows, "rows"), u32(cols, "cols")));
}

}  // namespace gpusim::framework
