#include "isa/init_addresses.h"

namespace gpusim::isa {

void write_init_addresses(Module& m, uint64_t global_base, uint64_t const_generic_base) {
  for (Symbol& s : m.symbols)
    for (const Symbol::InitAddress& a : s.init_addresses) {
      const Symbol& target = m.symbols[a.target];
      uint64_t v = target.offset + uint64_t(a.addend);
      if (target.space == StateSpace::Global) v += target.placed_address ? target.placed_address - target.offset : global_base;
      else if (a.generic) v += const_generic_base;  // else the bank offset: its own-space address
      if (a.mask != ~0ull) v = (v & a.mask) >> __builtin_ctzll(a.mask);
      for (unsigned i = 0; i < a.bytes && a.at + i < s.init.size(); ++i) s.init[a.at + i] = uint8_t(v >> (8 * i));
    }
}

bool init_addresses_need_const_memory(const Module& m) {
  for (const Symbol& s : m.symbols)
    for (const Symbol::InitAddress& a : s.init_addresses)
      if (a.generic && m.symbols[a.target].space == StateSpace::Const) return true;
  return false;
}

}  // namespace gpusim::isa
