// Verification mode: wraps a backend (normally a DeviceBackend) and re-runs every op on the CPU
// reference with the same inputs, throwing VerificationError at the first output element that
// differs by more than the op's tolerance (naming the op, the kernel, the index and both values).
//
// Tolerances: ops whose device formula is IEEE-exact (+ - * / sqrt, copies, sum in the same
// order, max, compare) must match bit for bit. expf/logf/tanhf/powf are documented by CUDA as
// 1-2 ulp, so those and the softmax family get a relative 1e-5 (plus 1e-6 absolute near 0).
// Matmul accumulates with fma on the device and with separate multiply-add on the CPU; each of
// the k steps may round differently, so the bound is 2 k eps sum_k |a_ik b_kj| (+1e-6).
#pragma once

#include "framework/cpu_backend.h"
#include "framework/shape.h"

namespace gpusim::framework {

class VerificationError : public FrameworkError {
 public:
  using FrameworkError::FrameworkError;
};

class VerifyingBackend : public Backend {
 public:
  explicit VerifyingBackend(BackendPtr inner);
  std::string name() const override { return inner_->name(); }
  const BackendPtr& inner() const { return inner_; }
  size_t ops_verified() const { return ops_verified_; }

  BufferPtr alloc(size_t size) override { return inner_->alloc(size); }
  void write(Buffer& dst, const float* src, size_t count) override { inner_->write(dst, src, count); }
  void read(const Buffer& src, float* dst, size_t count) override { inner_->read(src, dst, count); }
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
  void set_op_label(const std::string& label) override;

 private:
  struct Tolerance {
    float relative = 0.0f;
    float absolute = 0.0f;
  };
  // A CPU copy of a buffer of the inner backend.
  std::shared_ptr<CpuBuffer> host_copy(const Buffer& b);
  // Compares the inner backend's `out` with the CPU result; `bound` (optional) adds a per-element
  // absolute allowance.
  void compare(const std::string& kernel, const Buffer& out, const CpuBuffer& expected, Tolerance tol,
               const std::vector<float>* bound = nullptr);

  BackendPtr inner_;
  CpuBackend cpu_;
  std::string op_label_;
  size_t ops_verified_ = 0;
};

}  // namespace gpusim::framework
