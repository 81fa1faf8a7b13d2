#include "framework/verifying_backend.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace gpusim::framework {
namespace {

constexpr float kEps = std::numeric_limits<float>::epsilon();
bool is_transcendental(UnaryKind k) {
  return k == UnaryKind::Exp || k == UnaryKind::Log || k == UnaryKind::Tanh || k == UnaryKind::Sigmoid ||
         k == UnaryKind::Pow;
}
std::string format(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

}  // namespace

VerifyingBackend::VerifyingBackend(BackendPtr inner) : inner_(std::move(inner)) {
  if (!inner_) throw FrameworkError("verify: no backend to verify");
}

void VerifyingBackend::set_op_label(const std::string& label) {
  op_label_ = label;
  inner_->set_op_label(label);
}

std::shared_ptr<CpuBuffer> VerifyingBackend::host_copy(const Buffer& b) {
  auto copy = std::make_shared<CpuBuffer>(b.size());
  inner_->read(b, copy->values.data(), b.size());
  return copy;
}

void VerifyingBackend::compare(const std::string& kernel, const Buffer& out, const CpuBuffer& expected, Tolerance tol,
                               const std::vector<float>* bound) {
  ++ops_verified_;
  std::vector<float> actual(expected.size());
  inner_->read(out, actual.data(), actual.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    const float got = actual[i], want = expected.values[i];
    if (std::memcmp(&got, &want, sizeof got) == 0 || (std::isnan(got) && std::isnan(want))) continue;
    const float allowed = tol.absolute + tol.relative * std::fabs(want) + (bound ? (*bound)[i] : 0.0f);
    if (std::fabs(got - want) <= allowed && !std::isnan(got) && !std::isnan(want)) continue;
    throw VerificationError("verify: op '" + (op_label_.empty() ? kernel : op_label_) + "' (" + kernel + " on " +
                            inner_->name() + ") differs from the CPU reference at index " + std::to_string(i) +
                            " of " + std::to_string(actual.size()) + ": " + inner_->name() + " " + format(got) +
                            ", cpu " + format(want) + " (allowed difference " + format(allowed) + ")");
  }
}

void VerifyingBackend::fill(Buffer& dst, float value) {
  inner_->fill(dst, value);
  CpuBuffer expected(dst.size());
  cpu_.fill(expected, value);
  compare("fill", dst, expected, {});
}

void VerifyingBackend::unary(UnaryKind kind, float param, const Buffer& in, Buffer& out) {
  inner_->unary(kind, param, in, out);
  const auto x = host_copy(in);
  CpuBuffer expected(out.size());
  cpu_.unary(kind, param, *x, expected);
  compare(name_of(kind), out, expected, is_transcendental(kind) ? Tolerance{1e-5f, 1e-6f} : Tolerance{});
}

void VerifyingBackend::binary(BinaryKind kind, const Buffer& a, const Buffer& b, Buffer& out) {
  inner_->binary(kind, a, b, out);
  const auto x = host_copy(a), y = host_copy(b);
  CpuBuffer expected(out.size());
  cpu_.binary(kind, *x, *y, expected);
  compare(name_of(kind), out, expected, {});
}

void VerifyingBackend::strided_copy(const Buffer& in, const StridedView& view, Buffer& out) {
  inner_->strided_copy(in, view, out);
  const auto x = host_copy(in);
  CpuBuffer expected(out.size());
  cpu_.strided_copy(*x, view, expected);
  compare("strided_copy", out, expected, {});
}

void VerifyingBackend::matmul(const Buffer& a, const Buffer& b, Buffer& out, size_t m, size_t k, size_t n) {
  inner_->matmul(a, b, out, m, k, n);
  const auto x = host_copy(a), y = host_copy(b);
  CpuBuffer expected(m * n);
  cpu_.matmul(*x, *y, expected, m, k, n);
  // Rounding-error bound of two differently rounded k-term dot products.
  CpuBuffer abs_a(m * k), abs_b(k * n), abs_product(m * n);
  for (size_t i = 0; i < m * k; ++i) abs_a.values[i] = std::fabs(x->values[i]);
  for (size_t i = 0; i < k * n; ++i) abs_b.values[i] = std::fabs(y->values[i]);
  cpu_.matmul(abs_a, abs_b, abs_product, m, k, n);
  for (float& v : abs_product.values) v *= 2.0f * static_cast<float>(k) * kEps;
  compare("matmul", out, expected, {0.0f, 1e-6f}, &abs_product.values);
}

void VerifyingBackend::reduce(ReduceKind kind, const Buffer& in, Buffer& out, size_t outer, size_t len, size_t inner) {
  inner_->reduce(kind, in, out, outer, len, inner);
  const auto x = host_copy(in);
  CpuBuffer expected(outer * inner);
  cpu_.reduce(kind, *x, expected, outer, len, inner);
  compare(std::string("reduce_") + name_of(kind), out, expected, {});
}

void VerifyingBackend::log_softmax(const Buffer& in, Buffer& out, size_t rows, size_t cols) {
  inner_->log_softmax(in, out, rows, cols);
  const auto x = host_copy(in);
  CpuBuffer expected(rows * cols);
  cpu_.log_softmax(*x, expected, rows, cols);
  compare("log_softmax", out, expected, {1e-5f, 1e-5f});
}

void VerifyingBackend::cross_entropy_rows(const Buffer& logits, const std::vector<int32_t>& labels, Buffer& out,
                                          size_t rows, size_t cols) {
  inner_->cross_entropy_rows(logits, labels, out, rows, cols);
  const auto x = host_copy(logits);
  CpuBuffer expected(rows);
  cpu_.cross_entropy_rows(*x, labels, expected, rows, cols);
  compare("cross_entropy_rows", out, expected, {1e-5f, 1e-5f});
}

void VerifyingBackend::one_hot(const std::vector<int32_t>& labels, Buffer& out, size_t rows, size_t cols) {
  inner_->one_hot(labels, out, rows, cols);
  CpuBuffer expected(rows * cols);
  cpu_.one_hot(labels, expected, rows, cols);
  compare("one_hot", out, expected, {});
}

}  // namespace gpusim::framework
