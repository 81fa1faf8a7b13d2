#include "validation/ubench_comparison.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "sim/output_file.h"
#include "validation/csv.h"
#include "validation/timed_launch_device.h"

namespace gpusim::validation {

std::vector<workloads::ubench::SuiteRow> measure_ubench_on_gpu(runtime::Device& gpu, const sim::GpuConfig& matched,
                                                               long long l2_bytes) {
  TimedLaunchDevice timed(gpu, {2, 5, size_t(std::max<long long>(l2_bytes, 1 << 20)) * 2});
  workloads::ubench::SuiteOptions options;
  options.work_scale = 8;
  return workloads::ubench::run_suite(timed, matched, options);
}

std::vector<MeasuredUbench> to_measured(const std::vector<workloads::ubench::SuiteRow>& rows) {
  std::vector<MeasuredUbench> out;
  for (const auto& r : rows)
    if (r.not_run.empty()) out.push_back({r.benchmark, r.simulated, r.unit});
  return out;
}

std::vector<UbenchPair> pair_ubench(const std::vector<workloads::ubench::SuiteRow>& simulated,
                                    const std::vector<MeasuredUbench>& measured) {
  std::vector<UbenchPair> pairs;
  for (const auto& s : simulated) {
    if (!s.not_run.empty()) continue;  // no number on this configuration
    for (const MeasuredUbench& m : measured) {
      if (m.benchmark != s.benchmark || m.unit != s.unit) continue;
      UbenchPair p{s.benchmark, s.unit, s.published, s.simulated, m.value,
                   std::numeric_limits<double>::quiet_NaN()};
      if (m.value > 0) p.error_pct = 100.0 * (s.simulated - m.value) / m.value;
      pairs.push_back(p);
      break;
    }
  }
  return pairs;
}

namespace {
std::string fixed(double v) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(v >= 100 ? 0 : 1) << v;
  return os.str();
}
}  // namespace

void print_ubench_pairs(std::ostream& os, const std::vector<UbenchPair>& pairs) {
  os << std::left << std::setw(36) << "microbenchmark" << std::right << std::setw(12) << "simulated" << std::setw(12)
     << "measured" << "  " << std::left << std::setw(12) << "unit" << std::right << std::setw(9) << "error" << "  "
     << "published\n";
  for (const UbenchPair& p : pairs) {
    std::ostringstream err;
    if (std::isnan(p.error_pct)) err << "-";
    else err << std::showpos << std::fixed << std::setprecision(1) << p.error_pct << "%";
    os << std::left << std::setw(36) << p.benchmark << std::right << std::setw(12) << fixed(p.simulated)
       << std::setw(12) << fixed(p.measured) << "  " << std::left << std::setw(12) << p.unit << std::right
       << std::setw(9) << err.str() << "  " << p.published << "\n";
  }
}

void write_ubench_pairs_csv(const std::string& path, const std::string& config_name, const GpuIdentity& gpu,
                            const std::vector<UbenchPair>& pairs) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write '" + path + "'");
  f << csv_line({"config", "gpu_name", "date", "benchmark", "unit", "simulated", "measured", "error_pct", "published"})
    << "\n";
  for (const UbenchPair& p : pairs) {
    std::ostringstream s, m, e;
    s << std::setprecision(8) << p.simulated;
    m << std::setprecision(8) << p.measured;
    if (!std::isnan(p.error_pct)) e << std::setprecision(6) << p.error_pct;
    f << csv_line({config_name, gpu.name, gpu.date, p.benchmark, p.unit, s.str(), m.str(), e.str(), p.published})
      << "\n";
  }
  sim::close_or_throw(f, path);  // the buffered end is written, and checked, only here
}

}  // namespace gpusim::validation
