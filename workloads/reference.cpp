#include "workloads/reference.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace gpusim::workloads {
namespace {

void require_size(size_t actual, uint64_t expected, const char* what) {
  if (actual != expected)
    throw std::invalid_argument(std::string(what) + ": expected " + std::to_string(expected) +
                                " elements, got " + std::to_string(actual));
}

}  // namespace

std::vector<double> vecadd_reference(const std::vector<float>& a, const std::vector<float>& b) {
  require_size(b.size(), a.size(), "vecadd_reference: b");
  std::vector<double> c(a.size());
  for (size_t i = 0; i < a.size(); ++i) c[i] = static_cast<float>(a[i] + b[i]);
  return c;
}

std::vector<double> window_sum_reference(const std::vector<float>& in, int radius) {
  if (radius < 0) throw std::invalid_argument("window_sum_reference: negative radius");
  const int64_t n = static_cast<int64_t>(in.size());
  std::vector<double> out(in.size(), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = std::max<int64_t>(0, i - radius); j <= std::min<int64_t>(n - 1, i + radius); ++j)
      out[i] += in[j];
  return out;
}

std::vector<double> to_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

GemmReference gemm_reference(const std::vector<double>& a, const std::vector<double>& b, uint64_t m,
                             uint64_t n, uint64_t k) {
  require_size(a.size(), m * k, "gemm_reference: a");
  require_size(b.size(), k * n, "gemm_reference: b");
  GemmReference r{std::vector<double>(m * n, 0.0), std::vector<double>(m * n, 0.0)};
  // i-p-j loop order: streams rows of b, keeping the reference fast enough for large sizes.
  for (uint64_t i = 0; i < m; ++i)
    for (uint64_t p = 0; p < k; ++p) {
      const double aip = a[i * k + p];
      for (uint64_t j = 0; j < n; ++j) {
        const double prod = aip * b[p * n + j];
        r.c[i * n + j] += prod;
        r.abs_products[i * n + j] += std::fabs(prod);
      }
    }
  return r;
}

SumReference sum_reference(const std::vector<float>& x) {
  SumReference r;
  for (float v : x) {
    r.sum += v;
    r.abs_sum += std::fabs(v);
  }
  return r;
}

std::vector<double> softmax_reference(const std::vector<float>& x, uint64_t rows, uint64_t cols) {
  require_size(x.size(), rows * cols, "softmax_reference: x");
  std::vector<double> out(x.size());
  for (uint64_t r = 0; r < rows; ++r) {
    const float* row = x.data() + r * cols;
    double* y = out.data() + r * cols;
    double m = -INFINITY;
    for (uint64_t c = 0; c < cols; ++c) m = std::max(m, static_cast<double>(row[c]));
    double sum = 0.0;
    for (uint64_t c = 0; c < cols; ++c) sum += (y[c] = std::exp(row[c] - m));
    for (uint64_t c = 0; c < cols; ++c) y[c] /= sum;
  }
  return out;
}

std::vector<double> transpose_reference(const std::vector<float>& in, uint64_t rows, uint64_t cols) {
  require_size(in.size(), rows * cols, "transpose_reference: in");
  std::vector<double> out(in.size());
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
  return out;
}

}  // namespace gpusim::workloads
