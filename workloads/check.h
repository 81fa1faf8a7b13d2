// Device-versus-reference comparison. Every comparison reports the largest absolute error and,
// on failure, the first offending element, so a failing workload says where and by how much.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gpusim::workloads {

struct CheckResult {
  bool passed = true;
  double max_abs_error = 0.0;
  std::string detail;  // first mismatch, or a one-line verdict naming the criterion
};

// got[i] == want[i] for all i (used where the computation is exact in float arithmetic).
CheckResult check_exact(const std::vector<float>& got, const std::vector<double>& want);
// |got[i] - want[i]| <= bound[i] for all i, with a per-element error bound; `criterion` names
// the bound in the verdict (e.g. "gamma_K * sum|a*b|").
CheckResult check_within(const std::vector<float>& got, const std::vector<double>& want,
                         const std::vector<double>& bound, const std::string& criterion);

// gamma_n = n*u / (1 - n*u) with u = 2^-24: the classic bound on the relative error of an
// n-term float dot product or sum, in any evaluation order (Higham, "Accuracy and Stability of
// Numerical Algorithms", 2nd ed., section 3.1).
double float_gamma(double n);

// A TensorCore GEMM's result against its fp64 reference `want` (abs_products: sum|a*b| per
// element): exact when K <= exact_max_k (the inputs make every partial sum exact in float,
// whatever the accumulation order), else within 2 * gamma_K * sum|a*b| (twice the usual bound,
// allowing truncating accumulation).
CheckResult check_tensor_gemm(const std::vector<float>& got, const std::vector<double>& want,
                              const std::vector<double>& abs_products, uint64_t k, uint64_t exact_max_k);

}  // namespace gpusim::workloads
