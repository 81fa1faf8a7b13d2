// CPU references for the workloads, written independently of the kernels (plain loops, double
// accumulation) so that they can check the simulator. Matrices are row-major.
#pragma once

#include <cstdint>
#include <vector>

namespace gpusim::workloads {

// c[i] = a[i] + b[i] rounded to float, i.e. what IEEE single addition must produce.
std::vector<double> vecadd_reference(const std::vector<float>& a, const std::vector<float>& b);

// out[i] = sum of in[j] for |j - i| <= radius and 0 <= j < n.
std::vector<double> window_sum_reference(const std::vector<float>& in, int radius);

struct GemmReference {
  std::vector<double> c;              // m x n: sum_p a[i][p] * b[p][j], in double
  std::vector<double> abs_products;   // m x n: sum_p |a[i][p] * b[p][j]|, for error bounds
};
// a: m x k, b: k x n.
GemmReference gemm_reference(const std::vector<double>& a, const std::vector<double>& b, uint64_t m,
                             uint64_t n, uint64_t k);
std::vector<double> to_double(const std::vector<float>& v);

struct SumReference {
  double sum = 0.0;
  double abs_sum = 0.0;
};
SumReference sum_reference(const std::vector<float>& x);

// Each row r: exp(x[r][c] - max_r) / sum_c exp(x[r][c] - max_r), in double.
std::vector<double> softmax_reference(const std::vector<float>& x, uint64_t rows, uint64_t cols);

// out (cols x rows)[c][r] = in (rows x cols)[r][c].
std::vector<double> transpose_reference(const std::vector<float>& in, uint64_t rows, uint64_t cols);

}  // namespace gpusim::workloads
