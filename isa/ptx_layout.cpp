// Static shared-memory layout, done once the whole module is known: module-scope and .func
// shared variables share one module-wide region starting at offset 0 (any kernel may reach
// them through calls); each kernel's own shared variables follow that region.
// ".extern .shared" arrays are dynamic: offset 0, size 0 (the executor adds the dynamic base).
#include "isa/ptx_parser_state.h"

namespace gpusim::isa {

void PtxParser::layout_shared() {
  auto owned_by_entry = [&](const Symbol& s) {
    return s.owner >= 0 && m_.functions[size_t(s.owner)].is_entry;
  };
  uint64_t region_end = 0;
  for (Symbol& s : m_.symbols) {
    if (s.space != StateSpace::Shared || s.is_extern || owned_by_entry(s)) continue;
    s.offset = align_up(region_end, s.align);
    region_end = s.offset + s.size;
  }
  for (size_t fi = 0; fi < m_.functions.size(); ++fi) {
    Function& f = m_.functions[fi];
    if (!f.is_entry) continue;
    uint64_t end = region_end;
    for (Symbol& s : m_.symbols) {
      if (s.space != StateSpace::Shared || s.is_extern || s.owner != int32_t(fi)) continue;
      s.offset = align_up(end, s.align);
      end = s.offset + s.size;
    }
    f.static_shared_bytes = end;
  }
  for (Symbol& s : m_.symbols)
    if (s.space == StateSpace::Shared && s.is_extern) s.offset = 0, s.size = 0;
}

}  // namespace gpusim::isa
