// The DRAM timing rules of one channel in picoseconds, and where a line lives inside its channel
// (bank, row). Read from a GpuConfig (the dram.* keys named after the datasheet terms) or set
// directly by tests. sim/dram_channel.h applies them.
#pragma once

#include <cstdint>

#include "sim/gpu_config.h"

namespace gpusim::sim {

struct DramTiming {
  int banks = 16;
  int bank_groups = 4;
  double trcd = 0, trp = 0, tras = 0;  // row commands
  double tcl = 0, tcwl = 0;            // column command to first data (read, write)
  double twr = 0, trtp = 0;            // last write data / read command to PRECHARGE
  double tccd_l = 0;                   // column to column in one bank group
  double trrd = 0;                     // ACTIVATE to ACTIVATE in the channel
  double twtr = 0, trtw = 0;           // write-to-read and read-to-write turnarounds
  double trefi = 0, trfc = 0;          // refresh interval (0: none) and all-bank refresh time
  bool refresh_per_bank = false;
  double trfcpb = 0;
  double burst_ps_per_byte = 0;  // data bus occupancy per byte (peak rate, derated by dram.efficiency_pct)
  int write_high = 32, write_low = 8;
  int lookahead = 16;

  static DramTiming from_config(const GpuConfig& c);
};

// Where a line lives in its channel. The channel's lines are numbered by the channel-local line
// index (see DramAddressMap); consecutive indices fill one row of a bank (row_bytes / line_bytes
// lines), then move to the next bank, so a stream keeps a row open for several accesses and
// spreads over all banks. Row block r (row = r / banks) goes to bank (r mod banks + fold(row)) mod
// banks, fold = the XOR of row's ceil(log2 banks)-bit fields: blocks a power of two apart (two
// arrays, or many SMs' streams) land in different banks instead of conflicting in one.
struct DramLocation {
  int bank = 0;
  int64_t row = 0;
};

class DramAddressMap {
 public:
  DramAddressMap(uint32_t line_bytes, uint32_t row_bytes, int banks, int slices, int channels);
  // `local_line` is the slice-local line address (address_hash.h) of `slice`.
  DramLocation locate(int slice, uint64_t local_line) const;

 private:
  uint64_t line_bytes_, lines_per_row_, banks_, slices_per_channel_, channels_;
  int bank_bits_;
};

}  // namespace gpusim::sim
