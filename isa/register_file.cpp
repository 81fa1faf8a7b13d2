#include "isa/register_file.h"

#include <stdexcept>
#include <string>

#include "isa/ir.h"

namespace gpusim::isa {

namespace {

// log2 of the bytes a lane of a register of type `t` needs: the bits register_value_mask keeps,
// rounded up to 1, 2, 4 or 8 bytes.
unsigned lane_shift_of(DataType t) {
  const unsigned bits = 64 - unsigned(__builtin_clzll(register_value_mask(t)));
  if (bits <= 8) return 0;
  if (bits <= 16) return 1;
  if (bits <= 32) return 2;
  return 3;
}

template <typename T>
void write_rows(uint8_t* row, uint32_t mask, const uint64_t* vals) {
  T* lanes = reinterpret_cast<T*>(row);
  if (mask == ~0u) {
    for (unsigned l = 0; l < 32; ++l) lanes[l] = T(vals[l]);
    return;
  }
  for (; mask; mask &= mask - 1) {
    const unsigned l = unsigned(__builtin_ctz(mask));
    lanes[l] = T(vals[l]);
  }
}

}  // namespace

// Rows are aligned to their own width (widest first from an aligned base), so the typed accesses
// below are aligned.
void write_register_lanes(uint8_t* base, uint32_t slot, uint32_t mask, const uint64_t* vals) {
  uint8_t* row = base + reg_slot::row_offset(slot);
  switch (reg_slot::lane_shift(slot)) {
    case 0: return write_rows<uint8_t>(row, mask, vals);
    case 1: return write_rows<uint16_t>(row, mask, vals);
    case 2: return write_rows<uint32_t>(row, mask, vals);
    default: return write_rows<uint64_t>(row, mask, vals);
  }
}

void layout_registers(Function& f) {
  // Widest rows first: every row then starts at a multiple of its own size (256, 128, 64, 32).
  uint64_t offset = 0;
  for (int shift = 3; shift >= 0; --shift)
    for (RegInfo& r : f.regs) {
      if (lane_shift_of(r.type) != unsigned(shift)) continue;
      r.slot = reg_slot::make(uint32_t(offset), unsigned(shift));
      offset += 32u << shift;
    }
  // Slots are 32-bit; a function would need tens of millions of registers to pass this.
  if (offset > 0xffffffe0ull)
    throw std::runtime_error("function '" + f.name + "' declares " + std::to_string(f.regs.size()) +
                             " registers, more than a frame's register file can address");
  f.register_bytes = uint32_t(offset);
}

}  // namespace gpusim::isa
