#include "validation/matched_config.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gpusim::validation {

std::vector<std::string> matched_config_overrides(const sim::GpuConfig& base, const GpuIdentity& gpu) {
  std::vector<std::string> o;
  auto set = [&](const std::string& key, long long value) { o.push_back(key + "=" + std::to_string(value)); };
  const long long core_mhz =
      gpu.measured_sm_clock_mhz > 0 ? std::llround(gpu.measured_sm_clock_mhz) : (long long)gpu.sm_clock_mhz;
  o.push_back("chip.name=" + base.name.substr(0, base.name.find(' ')) + " matched to " + gpu.name + " (" +
              std::to_string(gpu.sm_count) + " SM, " + std::to_string(core_mhz) + " MHz)");
  if (gpu.sm_count > 0) set("sm.count", gpu.sm_count);
  if (core_mhz > 0) {
    // The base's L2, crossbar and tensor clocks keep their ratio to the core clock.
    const double scale = double(core_mhz) / base.core_clock_mhz;
    set("clocks.core_mhz", core_mhz);
    set("clocks.tensor_mhz", std::llround(base.tensor_clock_mhz * scale));
    set("clocks.l2_mhz", std::llround(base.l2_clock_mhz * scale));
    set("clocks.icnt_mhz", std::llround(base.icnt_clock_mhz * scale));
  }
  if (gpu.memory_clock_mhz > 0) set("clocks.dram_mhz", gpu.memory_clock_mhz);
  // DRAM channels from the bus width; the L2 keeps the base's slices per channel (the address hash
  // gives each channel whole slices), its sets per slice, and takes its ways from the capacity.
  int channels = base.dram_channels;
  long long slices = base.l2_slices;
  if (gpu.memory_bus_bits > 0 && gpu.memory_bus_bits % base.dram_bus_width_bits == 0 &&
      base.l2_slices % base.dram_channels == 0) {
    channels = gpu.memory_bus_bits / base.dram_bus_width_bits;
    slices = (long long)channels * (base.l2_slices / base.dram_channels);
    set("dram.channels", channels);
    set("l2.slices", slices);
  }
  // Ways per set from the reported capacity, rounded to whole ways: a bus of, say, 94 channels
  // gives 188 slices, which no power-of-two capacity divides exactly.
  const long long line_bytes = base.l2_line_bytes;
  const long long base_sets = (long long)base.l2_size_kib * 1024 / (base.l2_slices * line_bytes * base.l2_associativity);
  const long long l2_bytes = gpu.l2_bytes > 0 ? gpu.l2_bytes : (long long)base.l2_size_kib * 1024;
  const long long ways = std::max<long long>(1, std::llround(double(l2_bytes) / double(slices * line_bytes * base_sets)));
  set("l2.size_kib", slices * base_sets * ways * line_bytes / 1024);
  set("l2.associativity", ways);
  return o;
}

std::string matched_config_ini(const std::string& base_path, const GpuIdentity& gpu,
                               const std::vector<std::string>& calibrated) {
  const sim::GpuConfig base = sim::load_gpu_config(base_path);
  std::vector<std::string> overrides = matched_config_overrides(base, gpu);
  const size_t from_device = overrides.size();
  overrides.insert(overrides.end(), calibrated.begin(), calibrated.end());
  const sim::GpuConfig matched = sim::load_gpu_config(base_path, overrides);
  std::ostringstream os;
  os << "# " << matched.name << "\n"
     << "# Written by `gpusim compare --write-config` from " << (base_path.empty() ? "the embedded default" : base_path)
     << " and the card's driver attributes\n"
     << "# (" << gpu.name << ", cc " << gpu.compute_capability << ", driver " << gpu.driver << ", CUDA "
     << gpu.cuda_version << ", " << gpu.date << "; attribute clock " << gpu.sm_clock_mhz << " MHz, measured "
     << std::llround(gpu.measured_sm_clock_mhz) << " MHz).\n# Values taken from the device:\n";
  for (size_t i = 0; i < overrides.size(); ++i) {
    if (i == from_device) os << "# Calibrated from the card's microbenchmarks (gpusim compare --calibrate):\n";
    os << "#   " << overrides[i] << "\n";
  }
  const long long modelled_l2 = (long long)matched.l2_size_kib * 1024;
  if (gpu.l2_bytes > 0 && modelled_l2 != gpu.l2_bytes)
    os << "# The card reports " << gpu.l2_bytes << " bytes of L2; the model holds " << modelled_l2
       << " (whole ways per set over whole slices per DRAM channel).\n";
  os << "# Everything else (latencies, lanes, banks, schedulers) is the base configuration's.\n\n"
     << sim::describe(matched);
  return os.str();
}

}  // namespace gpusim::validation
