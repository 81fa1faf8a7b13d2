// The CPU reference backend: plain C++ loops over std::vector<float>. It is the ground truth
// the device kernels are verified against, so clarity wins over speed everywhere except matmul,
// which is cache-blocked because it dominates training time.
#pragma once

#include "framework/backend.h"

namespace gpusim::framework {

class CpuBuffer : public Buffer {
 public:
  explicit CpuBuffer(size_t size) : Buffer(size), values(size) {}
  std::vector<float> values;
};

class CpuBackend : public Backend {
 public:
  std::string name() const override { return "cpu"; }
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
};

std::shared_ptr<CpuBackend> make_cpu_backend();
// The scalar math of one UnaryKind / BinaryKind, shared with the verifier's CPU re-runs.
float apply_unary(UnaryKind kind, float param, float x);
float apply_binary(BinaryKind kind, float a, float b);
// Throws naming `where` when a label is outside [0, classes).
void check_labels(const std::vector<int32_t>& labels, size_t rows, size_t classes, const std::string& where);

}  // namespace gpusim::framework
