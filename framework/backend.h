// The backend interface: where a tensor's storage lives and where its kernels run. The autograd
// layer (tensor.h, ops) only talks to this interface, so every op works on every backend.
// Implementations: CpuBackend (plain C++ reference), DeviceBackend (CUDA kernels on any
// runtime::Device), VerifyingBackend (a DeviceBackend checked op by op against the CPU).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gpusim::framework {

// Storage of `size` float32 values owned by one backend.
class Buffer {
 public:
  explicit Buffer(size_t size) : size_(size) {}
  virtual ~Buffer() = default;
  size_t size() const { return size_; }

 private:
  size_t size_;
};
using BufferPtr = std::shared_ptr<Buffer>;

// Element-wise maps of one input; `param` is the scalar of the *Scalar kinds and of Pow.
enum class UnaryKind { Neg, Exp, Log, Relu, Tanh, Sigmoid, Sqrt, Square, Pow, AddScalar, MulScalar, Step };
// Element-wise maps of two same-sized inputs. Equal gives 1.0f where a == b, else 0.0f.
enum class BinaryKind { Add, Sub, Mul, Div, Equal };
// Reductions of the middle axis of an [outer, len, inner] view.
enum class ReduceKind { Sum, Max };

const char* name_of(UnaryKind kind);
const char* name_of(BinaryKind kind);
const char* name_of(ReduceKind kind);

// Gathers `out[i] = in[offset + sum_d index_d(i) * in_strides[d]]` for the row-major index of i in
// `out_shape`. Broadcasting (stride 0) and axis permutation are both this one primitive.
struct StridedView {
  std::vector<size_t> out_shape;
  std::vector<size_t> in_strides;  // in elements, one per axis of out_shape
};
constexpr size_t kMaxViewDims = 8;

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  virtual BufferPtr alloc(size_t size) = 0;
  virtual void write(Buffer& dst, const float* src, size_t count) = 0;
  virtual void read(const Buffer& src, float* dst, size_t count) = 0;
  virtual void fill(Buffer& dst, float value) = 0;

  virtual void unary(UnaryKind kind, float param, const Buffer& in, Buffer& out) = 0;
  virtual void binary(BinaryKind kind, const Buffer& a, const Buffer& b, Buffer& out) = 0;
  virtual void strided_copy(const Buffer& in, const StridedView& view, Buffer& out) = 0;
  // out[m,n] = sum_k a[m,k] * b[k,n], all row-major.
  virtual void matmul(const Buffer& a, const Buffer& b, Buffer& out, size_t m, size_t k, size_t n) = 0;
  virtual void reduce(ReduceKind kind, const Buffer& in, Buffer& out, size_t outer, size_t len,
                      size_t inner) = 0;
  // Row-wise log-softmax of a [rows, cols] matrix.
  virtual void log_softmax(const Buffer& in, Buffer& out, size_t rows, size_t cols) = 0;
  // Per-row cross-entropy -log softmax(logits[r])[labels[r]] of a [rows, cols] matrix.
  virtual void cross_entropy_rows(const Buffer& logits, const std::vector<int32_t>& labels, Buffer& out,
                                  size_t rows, size_t cols) = 0;
  // out[r, c] = (c == labels[r]) as a [rows, cols] matrix.
  virtual void one_hot(const std::vector<int32_t>& labels, Buffer& out, size_t rows, size_t cols) = 0;

  // A label for the launches that follow (the tensor op being computed); backends that record
  // launches use it, the others ignore it.
  virtual void set_op_label(const std::string& label) {}
};
using BackendPtr = std::shared_ptr<Backend>;

}  // namespace gpusim::framework
