// Consistency rules for a GpuConfig: every value in range, and no two values that contradict
// each other (a block limit above the SM limit, a cache whose size does not divide into sets...).
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "sim/gpu_config.h"
#include "sim/gpu_config_options.h"

namespace gpusim::sim {

namespace {

bool is_power_of_two(int v) { return v > 0 && (v & (v - 1)) == 0; }

// Well-formed UTF-8 without control characters: the name goes into JSON statistics, reports and
// terminal tables (a 0xFF byte failed the JSON writer only after the whole simulation had run).
bool printable_utf8(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    size_t extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : 99;
    if (extra == 99 || i + extra >= text.size()) return false;
    if (b < 0x20 || b == 0x7f) return false;
    for (size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

class Checker {
 public:
  Checker(const GpuConfig& c, const ConfigKeyOrigin& origin) : c_(c), origin_(origin) {}

  void require(bool ok, const std::string& problem) {
    if (!ok) problems_.push_back(problem);
  }
  std::string value(const char* key) const {
    for (const GpuConfigField& f : gpu_config_fields())
      if (std::string(f.key) == key)
        return std::string(key) + " (" + f.value_text(c_) + (origin_ ? ", " + origin_(key) : "") + ")";
    return key;
  }
  // "a (1) must be <= b (2)"
  void at_most(int lhs, const char* lhs_key, int rhs, const char* rhs_key) {
    require(lhs <= rhs, value(lhs_key) + " must not exceed " + value(rhs_key));
  }
  void divides(int part, const char* part_key, int whole, const char* whole_key) {
    require(part > 0 && whole % part == 0, value(whole_key) + " must be a multiple of " + value(part_key));
  }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  const GpuConfig& c_;
  const ConfigKeyOrigin& origin_;
  std::vector<std::string> problems_;
};

void check_ranges(const GpuConfig& c, Checker& check) {
  for (const GpuConfigField& field : gpu_config_fields()) {
    if (auto* member = std::get_if<int GpuConfig::*>(&field.member)) {
      const int v = c.*(*member);
      const std::string range =
          " (range " + std::to_string(field.min_value) + " to " + std::to_string(field.max_value) + ")";
      if (v < field.min_value)
        check.require(false, check.value(field.key) + " must be " +
                                 (field.min_value == 1   ? std::string("positive")
                                  : field.min_value == 0 ? std::string("zero or positive")
                                                         : "at least " + std::to_string(field.min_value)) +
                                 range);
      check.require(v <= field.max_value, check.value(field.key) + " is implausibly large" + range);
    }
  }
  check.require(!c.name.empty() && c.name.find('#') == std::string::npos,
                "chip.name must be non-empty and contain no '#'");
  check.require(printable_utf8(c.name), "chip.name must be UTF-8 text without control characters");
  // The machine targets of nvcc 13's ptxas (ptxas --help, --gpu-name): any other name passed this
  // check and failed every kernel of a timing run at ptxas ("Value 'sm_1000' is not defined").
  static constexpr const char* kPtxasTargets[] = {"sm_75", "sm_80", "sm_86", "sm_87", "sm_88", "sm_89", "sm_90",
                                                  "sm_100", "sm_103", "sm_110", "sm_120", "sm_121"};
  // and their architecture-specific (sm_90a) and family (sm_100f) forms from sm_90 on.
  bool known_target = false;
  for (const char* t : kPtxasTargets) {
    const std::string base = t;
    const bool suffixed = base >= "sm_90" || base.size() > 5;  // sm_90 and the three-digit ones
    known_target = known_target || c.sm_arch == base ||
                   (suffixed && (c.sm_arch == base + "a" || (base != "sm_90" && c.sm_arch == base + "f")));
  }
  check.require(known_target, check.value("chip.sm_arch") +
                                  " must be a machine target of nvcc 13: sm_75, sm_80, sm_86, sm_87, sm_88, sm_89, "
                                  "sm_90(a), sm_100(a|f), sm_103(a|f), sm_110(a|f), sm_120(a|f) or sm_121(a|f)");
  check.require(c.max_registers_per_thread <= 255, check.value("registers.max_per_thread") +
                                                      " must not exceed 255 (PTX register encoding)");
}

// The clock domains tick in one loop: a domain hundreds of times faster than the core runs that many
// edges per core cycle, so a one-warp kernel took minutes and Ctrl-C (checked every 4,096 core
// cycles) half a minute (an outside tester's 1 MHz core with 100 GHz memory clocks). Real chips
// keep their clocks within a few times of the core's; 64x either way leaves room for studies.
void check_clock_ratios(const GpuConfig& c, Checker& check) {
  constexpr int kMaxRatio = 64;
  const std::pair<const char*, int> domains[] = {{"clocks.tensor_mhz", c.tensor_clock_mhz},
                                                 {"clocks.l2_mhz", c.l2_clock_mhz},
                                                 {"clocks.icnt_mhz", c.icnt_clock_mhz},
                                                 {"clocks.dram_mhz", c.dram_clock_mhz}};
  for (const auto& [key, mhz] : domains)
    check.require(int64_t(mhz) <= int64_t(kMaxRatio) * c.core_clock_mhz && int64_t(c.core_clock_mhz) <= int64_t(kMaxRatio) * mhz,
                  check.value(key) + " must be within 64 times " + check.value("clocks.core_mhz") +
                      " either way (the domains tick in one loop: such a ratio runs that many edges per core cycle)");
}

void check_sm(const GpuConfig& c, Checker& check) {
  check.require(c.max_threads_per_sm <= c.max_warps_per_sm() * kWarpSize,
                check.value("sm.max_threads") + " must not exceed sm.subcores x sm.max_warps_per_subcore x 32 (" +
                    std::to_string(c.max_warps_per_sm() * kWarpSize) + ")");
  check.divides(kWarpSize, "warp size 32", c.max_threads_per_sm, "sm.max_threads");
  check.at_most(c.max_threads_per_block, "sm.max_threads_per_block", c.max_threads_per_sm, "sm.max_threads");
  check.at_most(c.registers_per_block_max, "registers.per_block_max", c.registers_per_sm, "registers.per_sm");
  check.divides(c.subcores_per_sm, "sm.subcores", c.registers_per_sm, "registers.per_sm");
  check.divides(c.register_alloc_granularity, "registers.alloc_granularity", c.registers_per_sm / c.subcores_per_sm,
                "registers.per_sm / sm.subcores");
  const std::pair<const char*, int> lanes[] = {
      {"units.fp32_lanes_per_sm", c.fp32_lanes_per_sm}, {"units.int_lanes_per_sm", c.int_lanes_per_sm},
      {"units.fp64_lanes_per_sm", c.fp64_lanes_per_sm}, {"units.sfu_lanes_per_sm", c.sfu_lanes_per_sm},
      {"units.ldst_lanes_per_sm", c.ldst_lanes_per_sm}, {"tensor.cores_per_sm", c.tensor_cores_per_sm}};
  for (const auto& [key, count] : lanes) check.divides(c.subcores_per_sm, "sm.subcores", count, key);
  // A warp-instruction occupies a unit for whole cycles, 32 / lanes per sub-core: other counts run
  // as the next one below that divides 32 (96 FP32 lanes ran as 64 while `gpusim info` promised
  // 96's peak; above 32 per sub-core, a warp still takes a cycle; an outside architect's sweep).
  for (const auto& [key, count] : lanes) {
    if (std::string(key) == "tensor.cores_per_sm" || count % c.subcores_per_sm != 0) continue;
    const int per_subcore = count / c.subcores_per_sm;
    check.require(per_subcore <= 32 && 32 % per_subcore == 0,
                  check.value(key) + " gives " + std::to_string(per_subcore) + " lanes per sub-core (" +
                      check.value("sm.subcores") + "); a warp-instruction issues over 32 / lanes whole cycles, so "
                      "lanes per sub-core must divide 32 (1, 2, 4, 8, 16 or 32)");
  }
}

void check_memory(const GpuConfig& c, Checker& check) {
  // The driver's per-block reservation comes out of the same per-SM pool.
  check.require(c.shared_per_block_max_bytes + c.shared_reserved_per_block_bytes <= c.shared_per_sm_max_bytes,
                check.value("shared.per_block_max_bytes") + " plus " + check.value("shared.reserved_per_block_bytes") +
                    " must not exceed " + check.value("shared.per_sm_max_bytes"));
  check.require(is_power_of_two(c.shared_alloc_granularity_bytes),
                check.value("shared.alloc_granularity_bytes") + " must be a power of two");
  const std::vector<int>& carve = c.shared_carveouts.kib;
  check.require(!carve.empty() && carve.back() * 1024 == c.shared_per_sm_max_bytes,
                check.value("shared.carveouts_kib") + ": the largest carve-out must equal " +
                    check.value("shared.per_sm_max_bytes"));
  check.require(!carve.empty() && carve.back() <= c.l1_shared_unified_kib,
                check.value("shared.carveouts_kib") + ": carve-outs must fit in " + check.value("l1.unified_kib"));
  check.require(is_power_of_two(c.shared_banks) && is_power_of_two(c.shared_bank_width_bytes),
                "shared.banks and shared.bank_width_bytes must be powers of two");

  for (const auto& [level, line, sector] : {std::tuple{"l1", c.l1_line_bytes, c.l1_sector_bytes},
                                            std::tuple{"l2", c.l2_line_bytes, c.l2_sector_bytes}}) {
    check.require(is_power_of_two(line) && is_power_of_two(sector) && sector <= line && line / sector <= 32,
                  std::string(level) + ".line_bytes (" + std::to_string(line) + ") and " + level + ".sector_bytes (" +
                      std::to_string(sector) + ") must be powers of two, sector <= line, at most 32 sectors a line");
  }
  int l1_set_bytes = c.l1_line_bytes * c.l1_associativity;
  for (int kib : carve) {
    int l1_bytes = c.l1_bytes_with_carveout(kib * 1024);
    check.require(l1_bytes > 0 && l1_bytes % l1_set_bytes == 0,
                  "the L1 left beside the " + std::to_string(kib) + " KiB carve-out (" + std::to_string(l1_bytes) +
                      " B) must be a positive multiple of l1.line_bytes x l1.associativity (" +
                      std::to_string(l1_set_bytes) + " B)");
  }
  long long l2_slice_bytes = 1024LL * c.l2_size_kib / c.l2_slices;
  check.require(1024LL * c.l2_size_kib % c.l2_slices == 0 &&
                    l2_slice_bytes % (1LL * c.l2_line_bytes * c.l2_associativity) == 0,
                check.value("l2.size_kib") + " must split into " + check.value("l2.slices") +
                    " slices of whole sets of l2.line_bytes x l2.associativity");
  check.at_most(c.l1_mshr_max_merged, "l1.mshr_max_merged", c.l1_mshrs, "l1.mshrs");
  // An L1 miss is one request for one L2 line (sim/memory_partitions.cpp).
  check.require(c.l1_line_bytes == c.l2_line_bytes,
                check.value("l1.line_bytes") + " must equal " + check.value("l2.line_bytes") +
                    ": an L1 miss is one request for one L2 line");
  // A bank must be free between refreshes, or no request is ever served (tREFI 0: no refresh,
  // as its help says; it was refused here).
  if (c.dram_trefi_ps == 0) {
  } else if (c.dram_refresh_per_bank)
    check.require(c.dram_trefi_ps > c.dram_trfcpb_ps, check.value("dram.trefi_ps") + " must exceed " +
                                                          check.value("dram.trfcpb_ps") + " (each bank refreshes once a tREFI)");
  else
    check.require(c.dram_trefi_ps > c.dram_trfc_ps, check.value("dram.trefi_ps") + " must exceed " +
                                                        check.value("dram.trfc_ps") + " (all banks refresh once a tREFI)");
  // DRAM banks and the L2 partitions (sim/dram_channel.h).
  check.divides(c.dram_bank_groups, "dram.bank_groups", c.dram_banks_per_channel, "dram.banks_per_channel");
  check.divides(c.l2_line_bytes, "l2.line_bytes", c.dram_row_bytes, "dram.row_bytes");
  check.at_most(c.dram_write_low_watermark, "dram.write_low_watermark", c.dram_write_high_watermark - 1,
                "dram.write_high_watermark - 1");
  // Each DRAM channel serves a whole number of L2 slices (sim/address_hash.h): checked here too, so
  // `gpusim info` refuses what every launch would (a student's --set dram.channels=8 on teaching.ini).
  check.divides(c.dram_channels, "dram.channels", c.l2_slices, "l2.slices");
  check.divides(c.l2_partitions, "l2.partitions", c.dram_channels, "dram.channels");
  check.at_most(c.l2_partitions, "l2.partitions", c.num_sms, "sm.count");
}

}  // namespace

void check_gpu_config(const GpuConfig& config, const std::string& source, const ConfigKeyOrigin& origin) {
  Checker check(config, origin);
  check_ranges(config, check);
  if (check.problems().empty()) {  // the structural rules divide by these values
    check_sm(config, check);
    check_memory(config, check);
    check_clock_ratios(config, check);
  }
  if (check.problems().empty()) return;
  std::ostringstream message;
  message << source << ": inconsistent configuration";
  for (const std::string& problem : check.problems()) message << "\n  " << problem;
  throw GpuConfigError(message.str());
}

}  // namespace gpusim::sim
