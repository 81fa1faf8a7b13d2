// DRAM timing parameters and the in-channel address map (see dram_timing.h).
#include "sim/dram_timing.h"

#include <bit>

namespace gpusim::sim {

DramTiming DramTiming::from_config(const GpuConfig& c) {
  DramTiming t;
  t.banks = c.dram_banks_per_channel;
  t.bank_groups = c.dram_bank_groups;
  t.trcd = c.dram_trcd_ps;
  t.trp = c.dram_trp_ps;
  t.tras = c.dram_tras_ps;
  t.tcl = c.dram_tcl_ps;
  t.tcwl = c.dram_tcwl_ps;
  t.twr = c.dram_twr_ps;
  t.trtp = c.dram_trtp_ps;
  t.tccd_l = c.dram_tccd_l_ps;
  t.trrd = c.dram_trrd_ps;
  t.twtr = c.dram_twtr_ps;
  t.trtw = c.dram_trtw_ps;
  t.trefi = c.dram_trefi_ps;
  t.trfc = c.dram_trfc_ps;
  t.refresh_per_bank = c.dram_refresh_per_bank != 0;
  t.trfcpb = c.dram_trfcpb_ps;
  const double bytes_per_clock = c.dram_bus_width_bits / 8.0 * c.dram_transfers_per_clock;
  const double clock_ps = 1e6 / c.dram_clock_mhz;
  t.burst_ps_per_byte = clock_ps / bytes_per_clock * 100.0 / c.dram_efficiency_pct;
  t.write_high = c.dram_write_high_watermark;
  t.write_low = c.dram_write_low_watermark;
  t.lookahead = c.dram_scheduler_lookahead;
  return t;
}

DramAddressMap::DramAddressMap(uint32_t line_bytes, uint32_t row_bytes, int banks, int slices, int channels)
    : line_bytes_(line_bytes),
      lines_per_row_(row_bytes >= line_bytes ? row_bytes / line_bytes : 1),
      banks_(uint64_t(banks)),
      slices_per_channel_(uint64_t(slices / channels)),
      channels_(uint64_t(channels)),
      bank_bits_(banks <= 1 ? 0 : int(std::bit_width(uint64_t(banks) - 1))) {}

DramLocation DramAddressMap::locate(int slice, uint64_t local_line) const {
  // The slices of a channel are `channels` apart (address_hash.h); interleaving their local lines
  // numbers the channel's lines densely.
  const uint64_t index = local_line / line_bytes_ * slices_per_channel_ + uint64_t(slice) / channels_;
  const uint64_t block = index / lines_per_row_;
  // XOR-fold of the row number's bank-sized bit fields (as address_hash.h does for slices):
  // streams a power of two apart start in different banks instead of marching in lockstep.
  uint64_t row = block / banks_, fold = 0;
  for (uint64_t x = row; x != 0 && bank_bits_ > 0; x >>= bank_bits_) fold ^= x & ((uint64_t(1) << bank_bits_) - 1);
  return {int((block % banks_ + fold) % banks_), int64_t(row)};
}

}  // namespace gpusim::sim
