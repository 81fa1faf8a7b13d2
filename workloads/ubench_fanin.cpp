#include "workloads/ubench_fanin.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workloads/workload_support.h"

namespace gpusim::workloads::ubench {

const char* fanin_kind_name(FaninKind kind) {
  switch (kind) {
    case FaninKind::Cold: return "cold";
    case FaninKind::Warm: return "warm";
    case FaninKind::Mixed: return "mixed";
  }
  return "?";
}

FaninResult measure_l2_fanin(runtime::Device& dev, uint32_t ctas, uint32_t lines, FaninKind kind, uint32_t warps) {
  const int sm_count = dev.properties().sm_count;
  const uint32_t sms = sm_count > 0 ? uint32_t(sm_count) : 1;
  if (ctas < 1 || ctas > sms)
    throw std::invalid_argument("l2-fanin: " + std::to_string(ctas) + " CTAs; the rendezvous needs 1.." +
                                std::to_string(sms) + " (one per SM, all resident)");
  if (lines < 8 || lines > (1u << 20) || lines % 8 != 0)
    throw std::invalid_argument("l2-fanin: lines must be a multiple of 8 in 8..1048576 (a warp loads 8 at a time)");
  if (warps < 1 || warps > 32) throw std::invalid_argument("l2-fanin: warps per CTA must be in 1..32");
  if (kind == FaninKind::Mixed && warps % 2 != 0)
    throw std::invalid_argument("l2-fanin: a mixed run needs an even number of warps (half shared, half own lines)");
  const runtime::ModuleHandle module = load_embedded_module(dev, "ubench_fanin");
  // Word i of either buffer holds i % 1000 + 1; the sums below are what each CTA must find.
  auto word = [](uint64_t i) { return uint32_t(i % 1000 + 1); };
  std::vector<uint32_t> words(size_t(lines) * 32);
  for (size_t i = 0; i < words.size(); ++i) words[i] = word(i);
  const bool mixed = kind == FaninKind::Mixed;
  std::vector<uint32_t> own_words(mixed ? size_t(ctas) * lines * 32 : 32);
  for (size_t i = 0; i < own_words.size(); ++i) own_words[i] = word(i);
  std::vector<uint32_t> expected(ctas, 0);
  for (uint32_t c = 0; c < ctas; ++c)
    for (uint64_t line = 0; line < lines; ++line)
      for (uint64_t w = 0; w < 32; ++w) {
        expected[c] += word(line * 32 + w);  // the shared lines (all of them, also when mixed)
        if (mixed) expected[c] += word((uint64_t(c) * lines + line) * 32 + w);  // and the CTA's own
      }
  // Cold lines must not be in the L2 from an earlier run (a freed buffer's address comes back):
  // writing twice the L2's size first evicts them on a GPU (on the simulator every row has a fresh device).
  const int l2_bytes = dev.properties().l2_bytes;
  if (kind != FaninKind::Warm && l2_bytes > 0 && dev.name().rfind("sim (", 0) != 0) {
    DeviceBuffer flush(dev, 2 * size_t(l2_bytes));
    dev.memset(flush.ptr(), 0, 2 * size_t(l2_bytes));
  }
  DeviceBuffer data(dev, words);
  DeviceBuffer own(dev, own_words);
  DeviceBuffer counter(dev, std::vector<uint32_t>{0});
  DeviceBuffer block_sums(dev, std::vector<uint32_t>(ctas, 0));
  DeviceBuffer out(dev, std::vector<uint64_t>(2 * size_t(ctas), 0));
  FaninResult r;
  r.ctas = ctas;
  r.lines = lines;
  r.warps = warps;
  r.kind = kind;
  r.stats = dev.launch(module, "ubench_l2_fanin", {{ctas, 1, 1}, {32 * warps, 1, 1}},
                       runtime::args(data.ptr(), own.ptr(), int32_t(lines), int32_t(kind), counter.ptr(),
                                     block_sums.ptr(), out.ptr()));
  const std::vector<uint64_t> o = out.download<uint64_t>();
  double total = 0;
  for (uint32_t c = 0; c < ctas; ++c) {
    if (uint32_t(o[2 * c + 1]) != expected[c])
      throw std::runtime_error("l2-fanin: CTA " + std::to_string(c) + " summed " + std::to_string(o[2 * c + 1]) +
                               ", the host " + std::to_string(expected[c]));
    const double per_line = double(o[2 * c]) / lines;  // mixed: the own-line warps' time over their lines
    total += per_line;
    r.slowest_cycles_per_line = std::max(r.slowest_cycles_per_line, per_line);
  }
  r.cycles_per_line = total / ctas;
  if (!r.stats.report_json.empty()) {
    const nlohmann::json j = nlohmann::json::parse(r.stats.report_json);
    r.l2_hit_sectors = j["l2"]["read_sector_hits"].get<uint64_t>();
    r.l2_miss_sectors = j["l2"]["read_sector_misses"].get<uint64_t>();
    r.merge_limit_stalls = j["l2"]["queue"]["merge_limit_stalls"].get<uint64_t>();
    r.dram_read_bytes = j["dram"]["read_bytes"].get<uint64_t>();
    r.blocked_slice_cycles = j["l2"]["queue"]["blocked_slice_cycles"].get<double>();
  }
  return r;
}

int nearer_merge_limit_setting(double card, double model_0, double model_1) {
  if (!(card > 0) || !(model_0 > 0) || !(model_1 > 0))
    throw std::invalid_argument("l2-fanin decision rule: cycles/line must be positive (card " + std::to_string(card) +
                                ", model " + std::to_string(model_0) + " / " + std::to_string(model_1) + ")");
  return std::abs(std::log(card / model_1)) < std::abs(std::log(card / model_0)) ? 1 : 0;
}

}  // namespace gpusim::workloads::ubench
