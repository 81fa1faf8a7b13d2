#include "framework/cpu_backend.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/shape.h"

namespace gpusim::framework {
namespace {

const std::vector<float>& values_of(const Buffer& b) {
  auto* cpu = dynamic_cast<const CpuBuffer*>(&b);
  if (!cpu) throw FrameworkError("cpu backend: buffer belongs to another backend");
  return cpu->values;
}
std::vector<float>& values_of(Buffer& b) {
  auto* cpu = dynamic_cast<CpuBuffer*>(&b);
  if (!cpu) throw FrameworkError("cpu backend: buffer belongs to another backend");
  return cpu->values;
}
void require_size(const Buffer& b, size_t needed, const char* what) {
  if (b.size() < needed)
    throw FrameworkError(std::string("cpu backend: ") + what + " buffer holds " + std::to_string(b.size()) +
                         " values, needs " + std::to_string(needed));
}

}  // namespace

const char* name_of(UnaryKind kind) {
  switch (kind) {
    case UnaryKind::Neg: return "neg";
    case UnaryKind::Exp: return "exp";
    case UnaryKind::Log: return "log";
    case UnaryKind::Relu: return "relu";
    case UnaryKind::Tanh: return "tanh";
    case UnaryKind::Sigmoid: return "sigmoid";
    case UnaryKind::Sqrt: return "sqrt";
    case UnaryKind::Square: return "square";
    case UnaryKind::Pow: return "pow";
    case UnaryKind::AddScalar: return "add_scalar";
    case UnaryKind::MulScalar: return "mul_scalar";
    case UnaryKind::Step: return "step";
  }
  return "?";
}
const char* name_of(BinaryKind kind) {
  switch (kind) {
    case BinaryKind::Add: return "add";
    case BinaryKind::Sub: return "sub";
    case BinaryKind::Mul: return "mul";
    case BinaryKind::Div: return "div";
    case BinaryKind::Equal: return "equal";
  }
  return "?";
}
const char* name_of(ReduceKind kind) { return kind == ReduceKind::Sum ? "sum" : "max"; }

float apply_unary(UnaryKind kind, float p, float x) {
  switch (kind) {
    case UnaryKind::Neg: return -x;
    case UnaryKind::Exp: return std::exp(x);
    case UnaryKind::Log: return std::log(x);
    case UnaryKind::Relu: return x > 0.0f ? x : 0.0f;
    case UnaryKind::Tanh: return std::tanh(x);
    case UnaryKind::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case UnaryKind::Sqrt: return std::sqrt(x);
    case UnaryKind::Square: return x * x;
    case UnaryKind::Pow: return std::pow(x, p);
    case UnaryKind::AddScalar: return x + p;
    case UnaryKind::MulScalar: return x * p;
    case UnaryKind::Step: return x > 0.0f ? 1.0f : 0.0f;
  }
  return 0.0f;
}

float apply_binary(BinaryKind kind, float a, float b) {
  switch (kind) {
    case BinaryKind::Add: return a + b;
    case BinaryKind::Sub: return a - b;
    case BinaryKind::Mul: return a * b;
    case BinaryKind::Div: return a / b;
    case BinaryKind::Equal: return a == b ? 1.0f : 0.0f;
  }
  return 0.0f;
}

void check_labels(const std::vector<int32_t>& labels, size_t rows, size_t classes, const std::string& where) {
  if (labels.size() != rows)
    throw FrameworkError(where + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(rows) +
                         " rows");
  for (size_t r = 0; r < rows; ++r)
    if (labels[r] < 0 || static_cast<size_t>(labels[r]) >= classes)
      throw FrameworkError(where + ": label " + std::to_string(labels[r]) + " at row " + std::to_string(r) +
                           " is outside [0, " + std::to_string(classes) + ")");
}

std::shared_ptr<CpuBackend> make_cpu_backend() { return std::make_shared<CpuBackend>(); }

BufferPtr CpuBackend::alloc(size_t size) { return std::make_shared<CpuBuffer>(size); }

void CpuBackend::write(Buffer& dst, const float* src, size_t count) {
  require_size(dst, count, "write destination");
  std::copy(src, src + count, values_of(dst).begin());
}

void CpuBackend::read(const Buffer& src, float* dst, size_t count) {
  require_size(src, count, "read source");
  std::copy(values_of(src).begin(), values_of(src).begin() + static_cast<long>(count), dst);
}

void CpuBackend::fill(Buffer& dst, float value) { std::fill(values_of(dst).begin(), values_of(dst).end(), value); }

void CpuBackend::unary(UnaryKind kind, float param, const Buffer& in, Buffer& out) {
  const auto& x = values_of(in);
  auto& y = values_of(out);
  require_size(in, out.size(), "unary input");
  for (size_t i = 0; i < out.size(); ++i) y[i] = apply_unary(kind, param, x[i]);
}

void CpuBackend::binary(BinaryKind kind, const Buffer& a, const Buffer& b, Buffer& out) {
  const auto& x = values_of(a);
  const auto& y = values_of(b);
  auto& z = values_of(out);
  require_size(a, out.size(), "binary lhs");
  require_size(b, out.size(), "binary rhs");
  for (size_t i = 0; i < out.size(); ++i) z[i] = apply_binary(kind, x[i], y[i]);
}

void CpuBackend::strided_copy(const Buffer& in, const StridedView& view, Buffer& out) {
  const auto& x = values_of(in);
  auto& y = values_of(out);
  const size_t ndim = view.out_shape.size();
  const size_t count = numel(view.out_shape);
  require_size(out, count, "strided_copy output");
  std::vector<size_t> index(ndim, 0);
  size_t offset = 0;  // kept in step with `index` like an odometer, avoiding a divide per element
  for (size_t i = 0; i < count; ++i) {
    y[i] = x.at(offset);
    for (size_t d = ndim; d-- > 0;) {
      offset += view.in_strides[d];
      if (++index[d] < view.out_shape[d]) break;
      offset -= view.in_strides[d] * index[d];
      index[d] = 0;
    }
  }
}

void CpuBackend::matmul(const Buffer& a, const Buffer& b, Buffer& out, size_t m, size_t k, size_t n) {
  require_size(a, m * k, "matmul lhs");
  require_size(b, k * n, "matmul rhs");
  require_size(out, m * n, "matmul output");
  const float* A = values_of(a).data();
  const float* B = values_of(b).data();
  float* C = values_of(out).data();
  std::fill(C, C + m * n, 0.0f);
  // i-k-j order with blocks of k and j so a [kBlock x jBlock] panel of B stays in cache while a
  // block of rows streams over it; the innermost j loop is contiguous and vectorises. Each C
  // element still accumulates its k terms in ascending order, like the device kernel.
  constexpr size_t kBlock = 128, jBlock = 256, iBlock = 32;
  for (size_t j0 = 0; j0 < n; j0 += jBlock) {
    const size_t j1 = std::min(n, j0 + jBlock);
    for (size_t k0 = 0; k0 < k; k0 += kBlock) {
      const size_t k1 = std::min(k, k0 + kBlock);
      for (size_t i0 = 0; i0 < m; i0 += iBlock) {
        const size_t i1 = std::min(m, i0 + iBlock);
        for (size_t i = i0; i < i1; ++i) {
          float* __restrict__ c_row = C + i * n;
          for (size_t kk = k0; kk < k1; ++kk) {
            const float a_ik = A[i * k + kk];
            // ReLU activations are often zero: skipping their row of B is exact for finite B.
            if (a_ik == 0.0f) continue;
            const float* __restrict__ b_row = B + kk * n;
            for (size_t j = j0; j < j1; ++j) c_row[j] += a_ik * b_row[j];
          }
        }
      }
    }
  }
}

void CpuBackend::reduce(ReduceKind kind, const Buffer& in, Buffer& out, size_t outer, size_t len, size_t inner) {
  require_size(in, outer * len * inner, "reduce input");
  require_size(out, outer * inner, "reduce output");
  const auto& x = values_of(in);
  auto& y = values_of(out);
  for (size_t o = 0; o < outer; ++o) {
    float* dst = y.data() + o * inner;
    const float* src = x.data() + o * len * inner;
    const float init = kind == ReduceKind::Sum ? 0.0f : -std::numeric_limits<float>::infinity();
    std::fill(dst, dst + inner, init);
    for (size_t l = 0; l < len; ++l)
      for (size_t i = 0; i < inner; ++i) {
        const float v = src[l * inner + i];
        dst[i] = kind == ReduceKind::Sum ? dst[i] + v : std::max(dst[i], v);
      }
  }
}

// log(sum(exp(row))), shifted by the row maximum so exp never overflows.
static float row_logsumexp(const float* row, size_t cols) {
  const float mx = *std::max_element(row, row + cols);
  float sum = 0.0f;
  for (size_t c = 0; c < cols; ++c) sum += std::exp(row[c] - mx);
  return mx + std::log(sum);
}

void CpuBackend::log_softmax(const Buffer& in, Buffer& out, size_t rows, size_t cols) {
  require_size(in, rows * cols, "log_softmax input");
  const auto& x = values_of(in);
  auto& y = values_of(out);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x.data() + r * cols;
    const float lse = row_logsumexp(row, cols);
    for (size_t c = 0; c < cols; ++c) y[r * cols + c] = row[c] - lse;
  }
}

void CpuBackend::cross_entropy_rows(const Buffer& logits, const std::vector<int32_t>& labels, Buffer& out,
                                    size_t rows, size_t cols) {
  check_labels(labels, rows, cols, "cross_entropy");
  require_size(logits, rows * cols, "cross_entropy logits");
  const auto& x = values_of(logits);
  auto& y = values_of(out);
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x.data() + r * cols;
    y[r] = row_logsumexp(row, cols) - row[labels[r]];
  }
}

void CpuBackend::one_hot(const std::vector<int32_t>& labels, Buffer& out, size_t rows, size_t cols) {
  check_labels(labels, rows, cols, "one_hot");
  auto& y = values_of(out);
  std::fill(y.begin(), y.end(), 0.0f);
  for (size_t r = 0; r < rows; ++r) y[r * cols + static_cast<size_t>(labels[r])] = 1.0f;
}

}  // namespace gpusim::framework
