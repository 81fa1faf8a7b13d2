#include "workloads/check.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace gpusim::workloads {
namespace {

std::string describe_mismatch(size_t index, float got, double want, double bound_or_negative) {
  std::ostringstream s;
  s.precision(9);
  s << "mismatch at element " << index << ": device " << got << ", reference " << want;
  if (bound_or_negative >= 0) s << " (allowed error " << bound_or_negative << ")";
  return s.str();
}

CheckResult compare(const std::vector<float>& got, const std::vector<double>& want,
                    const std::vector<double>* bound, const std::string& criterion) {
  if (got.size() != want.size() || (bound && bound->size() != want.size()))
    throw std::invalid_argument("check: device result has " + std::to_string(got.size()) +
                                " elements, reference " + std::to_string(want.size()));
  CheckResult r;
  for (size_t i = 0; i < got.size(); ++i) {
    const double error = std::fabs(static_cast<double>(got[i]) - want[i]);
    // NaN never compares as within bounds, so it fails and poisons the maximum visibly.
    const bool ok = bound ? error <= (*bound)[i] : static_cast<double>(got[i]) == want[i];
    if (!(error <= r.max_abs_error)) r.max_abs_error = error;
    if (!ok && r.passed) {
      r.passed = false;
      r.detail = describe_mismatch(i, got[i], want[i], bound ? (*bound)[i] : -1.0);
    }
  }
  if (r.passed) {
    std::ostringstream s;
    s << got.size() << " elements match the CPU reference (" << criterion << ")";
    r.detail = s.str();
  }
  return r;
}

}  // namespace

CheckResult check_exact(const std::vector<float>& got, const std::vector<double>& want) {
  return compare(got, want, nullptr, "exact");
}

CheckResult check_within(const std::vector<float>& got, const std::vector<double>& want,
                         const std::vector<double>& bound, const std::string& criterion) {
  return compare(got, want, &bound, criterion);
}

double float_gamma(double n) {
  const double nu = n * 0x1p-24;
  if (nu >= 1.0) throw std::invalid_argument("float_gamma: n*u >= 1, no error bound exists");
  return nu / (1.0 - nu);
}

CheckResult check_tensor_gemm(const std::vector<float>& got, const std::vector<double>& want,
                              const std::vector<double>& abs_products, uint64_t k, uint64_t exact_max_k) {
  if (k <= exact_max_k) return check_exact(got, want);
  std::vector<double> bound(abs_products.size());
  const double gamma = float_gamma(static_cast<double>(k));
  for (size_t i = 0; i < bound.size(); ++i) bound[i] = 2.0 * gamma * abs_products[i];
  return check_within(got, want, bound, "|error| <= 2 * gamma_K * sum|a*b|");
}

}  // namespace gpusim::workloads
