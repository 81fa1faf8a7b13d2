#include "validation/measured_record.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <regex>
#include <sstream>

#include "validation/csv.h"

namespace gpusim::validation {
namespace {

const std::vector<std::string> kGpuColumns = {
    "gpu_name", "compute_capability", "sm_count", "sm_clock_mhz", "measured_sm_clock_mhz", "memory_clock_mhz",
    "memory_bus_bits", "l2_bytes", "driver", "cuda_version", "date"};
const std::vector<std::string> kKernelColumns = {
    "workload", "size", "seed", "launch", "kernel", "ctas", "warmup", "repetitions",
    "median_us", "min_us", "max_us", "launch_overhead_us", "verified"};
const std::vector<std::string> kUbenchColumns = {"benchmark", "value", "unit"};

std::string number(double v) {
  std::ostringstream os;
  os << std::setprecision(10) << v;
  return os.str();
}

std::vector<std::string> gpu_fields(const GpuIdentity& g) {
  return {g.name,         g.compute_capability,           std::to_string(g.sm_count),
          std::to_string(g.sm_clock_mhz), number(g.measured_sm_clock_mhz), std::to_string(g.memory_clock_mhz),
          std::to_string(g.memory_bus_bits), std::to_string(g.l2_bytes), g.driver,
          g.cuda_version, g.date};
}

GpuIdentity read_gpu(const CsvRow& r) {
  GpuIdentity g;
  g.name = r.text("gpu_name");
  g.compute_capability = r.text("compute_capability");
  // Ranges: what a card can report, far above today's (the matched config's own ranges apply
  // later); zero or negative figures come only from a damaged file.
  g.sm_count = int(r.integer("sm_count", 1, 1024));
  g.sm_clock_mhz = int(r.integer("sm_clock_mhz", 1, 100000));
  g.measured_sm_clock_mhz = r.number("measured_sm_clock_mhz");
  if (!(g.measured_sm_clock_mhz > 0))
    throw CsvError(r.where() + ": column 'measured_sm_clock_mhz' must be positive");
  g.memory_clock_mhz = int(r.integer("memory_clock_mhz", 1, 100000));
  g.memory_bus_bits = int(r.integer("memory_bus_bits", 1, 65536));
  g.l2_bytes = r.integer("l2_bytes", 1, 1LL << 40);
  g.driver = r.text("driver");
  g.cuda_version = r.text("cuda_version");
  g.date = r.text("date");
  return g;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::ofstream open_for_writing(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw CsvError(path + ": cannot open for writing");
  return f;
}

// Reads a record file: every row's card must be the first row's card.
GpuIdentity read_rows(const std::string& path, const std::vector<std::string>& columns,
                      const std::function<void(const CsvRow&)>& each) {
  const CsvTable table = read_csv(path, concat(kGpuColumns, columns));
  if (table.rows.empty()) throw CsvError(path + ": no measurements (only a header)");
  const GpuIdentity gpu = read_gpu(table.rows.front());
  for (const CsvRow& r : table.rows) {
    const GpuIdentity g = read_gpu(r);
    if (g.name != gpu.name || g.sm_count != gpu.sm_count || g.date != gpu.date)
      throw CsvError(r.where() + ": measured on '" + g.name + "' at " + g.date + ", but the file's first row is from '" +
                     gpu.name + "' at " + gpu.date + "; keep one card and session per file");
    each(r);
  }
  return gpu;
}

}  // namespace

void write_kernel_record(const std::string& path, const KernelRecord& record) {
  std::ofstream f = open_for_writing(path);
  f << csv_line(concat(kGpuColumns, kKernelColumns)) << "\n";
  for (const MeasuredKernel& k : record.kernels)
    f << csv_line(concat(gpu_fields(record.gpu),
                         {k.workload, k.size, std::to_string(k.seed), std::to_string(k.launch), k.kernel,
                          std::to_string(k.ctas), std::to_string(k.warmup), std::to_string(k.repetitions), number(k.median_us),
                          number(k.min_us), number(k.max_us), number(k.launch_overhead_us),
                          k.verified ? "yes" : "no"}))
      << "\n";
  f.close();  // the buffered end is written, and checked, only here
  if (!f) throw CsvError(path + ": write failed: " + std::strerror(errno));
}

KernelRecord read_kernel_record(const std::string& path, std::vector<std::string>* row_locations) {
  KernelRecord record;
  record.gpu = read_rows(path, kKernelColumns, [&](const CsvRow& r) {
    MeasuredKernel k;
    k.workload = r.text("workload");
    k.size = r.text("size");
    k.seed = uint64_t(r.integer("seed", 0, std::numeric_limits<long long>::max()));
    k.launch = int(r.integer("launch", 0, std::numeric_limits<int>::max()));
    k.kernel = r.text("kernel");
    // A CUDA grid holds at most (2^31-1) x 65535 x 65535 blocks.
    k.ctas = uint64_t(r.integer("ctas", 1, std::numeric_limits<long long>::max()));
    k.warmup = int(r.integer("warmup", 0, std::numeric_limits<int>::max()));
    k.repetitions = int(r.integer("repetitions", 1, std::numeric_limits<int>::max()));
    k.median_us = r.number("median_us");
    k.min_us = r.number("min_us");
    k.max_us = r.number("max_us");
    k.launch_overhead_us = r.number("launch_overhead_us");
    const std::string& v = r.text("verified");
    if (v != "yes" && v != "no") throw CsvError(r.where() + ": column 'verified': expected yes or no, got '" + v + "'");
    k.verified = v == "yes";
    if (!(k.median_us > 0)) throw CsvError(r.where() + ": column 'median_us' must be positive");
    record.kernels.push_back(k);
    if (row_locations) row_locations->push_back(r.where());
  });
  return record;
}

void write_ubench_record(const std::string& path, const UbenchRecord& record) {
  std::ofstream f = open_for_writing(path);
  f << csv_line(concat(kGpuColumns, kUbenchColumns)) << "\n";
  for (const MeasuredUbench& u : record.rows)
    f << csv_line(concat(gpu_fields(record.gpu), {u.benchmark, number(u.value), u.unit})) << "\n";
  f.close();  // the buffered end is written, and checked, only here
  if (!f) throw CsvError(path + ": write failed: " + std::strerror(errno));
}

UbenchRecord read_ubench_record(const std::string& path) {
  UbenchRecord record;
  record.gpu = read_rows(path, kUbenchColumns, [&](const CsvRow& r) {
    record.rows.push_back({r.text("benchmark"), r.number("value"), r.text("unit")});
  });
  return record;
}

std::string nvidia_kernel_module_version() {
  std::ifstream f("/proc/driver/nvidia/version");
  std::string line;
  if (!f || !std::getline(f, line)) return "unknown";
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Thu ..."
  std::smatch m;
  if (std::regex_search(line, m, std::regex(R"((\d+\.\d+(\.\d+)?))"))) return m[1];
  return "unknown";
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace gpusim::validation
