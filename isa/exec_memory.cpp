// Memory instructions: ld/ldu/st, cvta/isspacep, prefetch, cp.async (+ groups); atom/red are in
// exec_atomic.cpp.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "isa/exec_alu_support.h"
#include "isa/exec_context.h"
#include "isa/exec_memory_support.h"
#include "isa/hex_text.h"
#include "isa/launch_state.h"
#include "isa/memory_fast_path.h"
#include "isa/numerics/half.h"

namespace gpusim::isa {

namespace {

unsigned elem_bytes(const ExecContext& ctx, const Instruction& in) {
  const unsigned bits = type_bits(in.mod.types[0]);
  if (bits < 8) ctx.fail_warp(std::string("memory access of type .") + type_name(in.mod.types[0]) + " is not supported", FaultKind::Unsupported);
  return bits / 8;
}

// One lane's load the general way: every element through ExecContext::load.
void load_lane(ExecContext& ctx, const Instruction& in, unsigned lane, uint64_t addr, unsigned size, unsigned n,
               bool sign, StateSpace space) {
  const Operand& dst = in.ops[0];
  for (unsigned i = 0; i < n; ++i) {
    uint64_t lo = 0, hi = 0;
    if (size == 16) {
      uint64_t both[2];
      ctx.load(space, addr + i * size, both, 16, lane);
      lo = both[0], hi = both[1];
    } else {
      ctx.load(space, addr + i * size, &lo, size, lane);
      if (sign) lo = sign_extend(lo, size);
    }
    const Operand& d = n == 1 ? dst : ctx.elem(dst, i);
    if (d.kind != OperandKind::Reg) continue;  // "_" sink
    ctx.set(d.reg, lane, lo);
    if (size == 16) ctx.fail(lane, ".b128 loads into a single register are not supported", FaultKind::Unsupported);
    (void)hi;
  }
}

// The per-instruction parts of an Address operand: the base register's lanes (null: none) and the
// constant offset (symbol address + immediate; ExecContext::address adds the same terms per lane).
struct AddressParts {
  const uint8_t* rows = nullptr;  // the register file; null: no base register
  uint32_t slot = 0;              // the base register's place in it
  uint64_t offset = 0;
  uint64_t keep = ~0ull;          // the address bits kept: 32 with a 32-bit base register
  uint64_t base(unsigned lane) const { return read_register_lane(rows, slot, lane); }
  uint64_t at(unsigned lane) const { return rows ? (offset + base(lane)) & keep : offset; }
};
AddressParts address_parts(ExecContext& ctx, const Operand& addr, const uint8_t* regs) {
  AddressParts p;
  if (addr.reg != kNoReg) p.rows = regs, p.slot = addr.slot, p.keep = ExecContext::address_keep(addr);
  p.offset = addr.imm + (addr.sym != kNoSymbol ? ctx.symbol_address(addr.sym) : 0);
  return p;
}

// One lane of a scalar load the general way (any space, faults reported).
[[gnu::noinline]] void scalar_load_slow(ExecContext& ctx, const Instruction& in, unsigned lane, uint64_t addr,
                                        unsigned size, bool sign, StateSpace space) {
  check_alignment(ctx, addr, size, 1, lane);
  load_lane(ctx, in, lane, addr, size, 1, sign, space);
}

// ld.shared / ld.global / ld.param of one scalar register (most loads of every kernel), as a plain loop over
// the lanes with everything per instruction in locals: the destination's lanes and width, the
// address terms, and the one window (own shared memory, or the warp's cached allocation) that a
// lane's access must fall in to skip the general path. Trace records are collected for the
// instruction (at most one per lane) and appended in one go.
enum class DirectWindow { Shared, Global, KernelParams };

// The common case of scalar_load_direct, without the per-lane branches of the general loop: every
// active lane's address aligned and inside the window. The addresses are gathered (in lane order,
// into `addrs`; `count` of them) and checked first; false, with no register written, when some
// lane is not the plain case (the caller's per-lane loop then does everything). A lane reads only
// its own base register, so gathering before writing the destination (it may be the base) is safe.
inline bool gather_plain_addresses(const AddressParts& p, uint32_t mask, unsigned size, uint64_t window_base,
                                   uint64_t window_size, uint64_t* addrs, unsigned& count) {
  if (window_size < size) return false;
  const uint64_t limit = window_size - size;  // the last offset a lane's `size` bytes may start at
  // Every lane aligned: no low bit set in any address; every lane inside: the largest offset from
  // the window's base (an address below it wraps to a huge offset) is at most `limit`.
  uint64_t address_bits = 0, max_offset = 0;
  unsigned k = 0;
  if (!p.rows) {
    const uint64_t a = p.offset;
    address_bits = a, max_offset = a - window_base;
    for (uint32_t m = mask; m; m &= m - 1) addrs[k++] = a;
  } else if (mask == ~0u) {
    uint64_t base[32];  // the base register's lanes, zero-extended in one typed loop
    read_register_lanes(p.rows, p.slot, mask, base);
#pragma GCC unroll 4
    for (unsigned l = 0; l < 32; ++l) {
      const uint64_t a = (p.offset + base[l]) & p.keep;
      addrs[l] = a;
      address_bits |= a;
      max_offset = std::max(max_offset, a - window_base);
    }
    k = 32;
  } else {
    for (uint32_t m = mask; m; m &= m - 1) {
      const uint64_t a = p.at(unsigned(__builtin_ctz(m)));
      addrs[k++] = a;
      address_bits |= a;
      max_offset = std::max(max_offset, a - window_base);
    }
  }
  count = k;
  return (address_bits & (size - 1)) == 0 && max_offset <= limit;
}

// Reads the lanes gathered above: `T` is the access's width, the value sign- or zero-extended to 64
// bits (sign_extend) and cut to the destination's width.
template <typename T, bool kSign>
inline void read_plain_lanes(const uint8_t* window, uint64_t window_base, const uint64_t* addrs, uint32_t mask,
                             uint64_t* out, uint64_t keep) {
  auto value = [&](uint64_t a) {
    T v;
    std::memcpy(&v, window + (a - window_base), sizeof v);
    if constexpr (kSign) return uint64_t(int64_t(std::make_signed_t<T>(v)));
    else return uint64_t(v);
  };
  if (mask == ~0u) {
#pragma GCC unroll 8
    for (unsigned l = 0; l < 32; ++l) out[l] = value(addrs[l]) & keep;
    return;
  }
  unsigned k = 0;
  for (uint32_t m = mask; m; m &= m - 1) out[__builtin_ctz(m)] = value(addrs[k++]) & keep;
}

template <bool kSign>
inline void read_plain_lanes(unsigned size, const uint8_t* window, uint64_t window_base, const uint64_t* addrs,
                             uint32_t mask, uint64_t* out, uint64_t keep) {
  switch (size) {
    case 1: return read_plain_lanes<uint8_t, kSign>(window, window_base, addrs, mask, out, keep);
    case 2: return read_plain_lanes<uint16_t, kSign>(window, window_base, addrs, mask, out, keep);
    case 4: return read_plain_lanes<uint32_t, kSign>(window, window_base, addrs, mask, out, keep);
    default: return read_plain_lanes<uint64_t, kSign>(window, window_base, addrs, mask, out, keep);
  }
}

template <DirectWindow kWindow>
void scalar_load_direct(ExecContext& ctx, const Instruction& in, unsigned size, bool sign, StateSpace space) {
  uint8_t* regs = ctx.register_rows();  // ExecContext's file; ld pushes no frame
  const Operand& dst = in.ops[0];
  const uint64_t keep = ~0ull >> dst.value_shift;
  const AddressParts addr_of = address_parts(ctx, in.ops[1], regs);
  const uint8_t* window = nullptr;
  uint64_t window_base = 0, window_size = 0;
  // cp.async copies pending over a lane's bytes: the instruction goes through ExecContext::load,
  // which reports the race; pending copies elsewhere (the next stage of a pipeline) leave the
  // window open.
  bool reads_pending_copy = false;
  if constexpr (kWindow == DirectWindow::Shared) {
    const AsyncCopyTracker& pending = ctx.cta().async_copies;
    if (!pending.empty())
      for (uint32_t m = ctx.mask; m && !reads_pending_copy; m &= m - 1)
        reads_pending_copy = pending.overlapping(addr_of.at(unsigned(__builtin_ctz(m))), size) != nullptr;
  }
  auto take_window = [&] {
    if constexpr (kWindow == DirectWindow::Shared) {
      window = ctx.cta().shared.data();
      window_size = reads_pending_copy ? 0 : ctx.cta().shared.size();
    } else if constexpr (kWindow == DirectWindow::KernelParams) {
      // The launch's parameter buffer; a per-thread frame .param address carries a tag bit far
      // beyond its size and takes the general path.
      window = ctx.launch().params.data();
      window_size = ctx.launch().params.size();
    } else {
      const Warp::GlobalSpanCache& c = ctx.warp().global_span;
      GlobalMemory* global = ctx.launch().global;
      const bool valid = global && c.owner == global && c.generation == global->generation();
      window = c.data, window_base = c.base, window_size = valid ? c.size : 0;
    }
  };
  take_window();
  if constexpr (kWindow == DirectWindow::Global) {
    // A warp alternating between allocations (A and B of a GEMM) would send its first lane down
    // the general path only to move the cached span; moving it here does the same (the general
    // path's lookup, GlobalMemory::span_at) and keeps every lane on the fast path, so the
    // instruction can be summarised. An address in no allocation still faults below.
    const uint64_t a0 = addr_of.at(unsigned(__builtin_ctz(ctx.mask)));
    GlobalMemory* global = ctx.launch().global;
    GlobalSpan s;
    if (a0 - window_base >= window_size && global && global->span_at(a0, s)) {
      ctx.warp().global_span = Warp::GlobalSpanCache{global, global->generation(), s.base, s.size, s.data};
      take_window();
    }
  }
  std::vector<MemAccess>* trace = ctx.trace;
  if (!addr_of.rows && !trace) {
    // One address for every lane (a kernel parameter, a fixed shared word), no records wanted:
    // read once when it is aligned and inside the window, every lane gets the value.
    const uint64_t a = addr_of.offset, off = a - window_base;
    if ((a & (size - 1)) == 0 && window_size >= size && off <= window_size - size) {
      uint64_t v = 0;
      if (sign) read_plain_lanes<true>(size, window, window_base, &a, 1u, &v, keep);
      else read_plain_lanes<false>(size, window, window_base, &a, 1u, &v, keep);
      alu::write_register_row(ctx, dst, ctx.mask, [&](unsigned) { return v; });
      return;
    }
  }
  {
    uint64_t addrs[32];
    unsigned count = 0;
    if (gather_plain_addresses(addr_of, ctx.mask, size, window_base, window_size, addrs, count)) {
      uint64_t out[32];
      if (sign) read_plain_lanes<true>(size, window, window_base, addrs, ctx.mask, out, keep);
      else read_plain_lanes<false>(size, window, window_base, addrs, ctx.mask, out, keep);
      write_register_lanes(regs, dst.slot, ctx.mask, out);
      if (!trace) return;
      if (kWindow != DirectWindow::KernelParams && ctx.summary && trace->empty() &&
          AffineAccess::from_addresses(addrs, count, ctx.mask, space, uint8_t(size), 1, false, *ctx.summary))
        return;
      unsigned k = 0;
      for (uint32_t m = ctx.mask; m; m &= m - 1)
        trace->emplace_back(space, addrs[k++], uint8_t(size), false, false, uint8_t(__builtin_ctz(m)));
      return;
    }
  }
  // The addresses of the lanes that took the fast path and are not in the trace yet, in lane
  // order: written out as records before the general path appends its own, or at the end, unless
  // they make one AffineAccess (no record at all).
  uint64_t pending_address[32];
  uint32_t pending = 0;
  unsigned npending = 0;
  auto flush_pending = [&] {
    unsigned k = 0;
    for (uint32_t m = pending; m; m &= m - 1)
      trace->emplace_back(space, pending_address[k++], uint8_t(size), false, false, uint8_t(__builtin_ctz(m)));
    pending = 0, npending = 0;
  };
  for (uint32_t mask = ctx.mask; mask; mask &= mask - 1) {
    const unsigned lane = unsigned(__builtin_ctz(mask));
    const uint64_t a = addr_of.at(lane);
    const uint64_t off = a - window_base;
    if ((a & (size - 1)) == 0 && off < window_size && size <= window_size - off) {
      uint64_t v = fast_read(window + off, size);
      if (sign) v = sign_extend(v, size);
      write_register_lane(regs, dst.slot, lane, v & keep);
      if (trace) pending_address[npending++] = a, pending |= 1u << lane;
      continue;
    }
    if (trace) flush_pending();
    scalar_load_slow(ctx, in, lane, a, size, sign, space);
    take_window();  // the general path may have moved the warp's cached allocation
  }
  if (trace && npending) {
    // Every lane took the fast path when nothing reached the trace yet (the general path appends).
    if (kWindow != DirectWindow::KernelParams && ctx.summary && trace->empty() &&
        AffineAccess::from_addresses(pending_address, npending, pending, space, uint8_t(size), 1, false, *ctx.summary))
      return;
    flush_pending();
  }
}

void load_values(ExecContext& ctx, const Instruction& in) {
  const unsigned size = elem_bytes(ctx, in);
  const Operand& dst = in.ops[0];
  const unsigned n = dst.kind == OperandKind::Vector ? dst.count : 1;
  const bool sign = type_is_signed(in.mod.types[0]);
  const StateSpace space = space_of(in);
  if (n == 1 && size <= 8 && dst.kind == OperandKind::Reg && ctx.mask) {
    if (space == StateSpace::Shared) return scalar_load_direct<DirectWindow::Shared>(ctx, in, size, sign, space);
    if (space == StateSpace::Global) return scalar_load_direct<DirectWindow::Global>(ctx, in, size, sign, space);
    if (space == StateSpace::Param) return scalar_load_direct<DirectWindow::KernelParams>(ctx, in, size, sign, space);
  }
  const unsigned total = size * n;
  // The fast path needs a power-of-two total (then an aligned vector has aligned elements).
  const bool fast = size <= 8 && (total & (total - 1)) == 0;
  FastWindows windows(ctx);
  TraceBatch batch(ctx.trace, ctx.summary);
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t addr = ctx.address(in.ops[1], lane);
    if (fast && (addr & (total - 1)) == 0) {
      StateSpace s = space;
      uint64_t a = addr;
      if (const uint8_t* p = windows.bytes(s, a, total)) {
        for (unsigned i = 0; i < n; ++i) {
          uint64_t v = fast_read(p + i * size, size);
          if (sign) v = sign_extend(v, size);
          if (batch.active()) batch.add(MemAccess{s, a + i * size, uint8_t(size), false, false, uint8_t(lane)});
          const Operand& d = n == 1 ? dst : ctx.elem(dst, i);
          ctx.set(d, lane, v);  // a "_" sink is no register: set() skips it
        }
        return;
      }
    }
    if (batch.active()) batch.flush();  // the general path appends its own records
    check_alignment(ctx, addr, total, n, lane);
    load_lane(ctx, in, lane, addr, size, n, sign, space);
    windows.refresh();
  });
}

}  // namespace

void exec_Ld(ExecContext& ctx, const Instruction& in) { load_values(ctx, in); }
void exec_Ldu(ExecContext& ctx, const Instruction& in) { load_values(ctx, in); }

namespace {

// st.global / st.shared of one plain register or immediate (the store of nearly every kernel) when
// every active lane's address is aligned and inside the one window (own shared memory, or the
// warp's cached allocation, moved first to the first lane's allocation as scalar_load_direct
// does): the addresses gathered and checked before any byte is written, the value lanes taken as
// a row, the bytes written in lane order (the last lane wins where lanes share an address, as in
// the per-lane loop), and the same trace records or summary (TraceBatch) as that loop. False,
// with nothing written, when some lane is not the plain case: the caller's loop then does it all.
bool scalar_store_direct(ExecContext& ctx, const Instruction& in, unsigned size, StateSpace space) {
  const Operand& src = in.ops[1];
  alu::LaneSource value;
  alu::take_lane_source(ctx, src, value);
  if (!value.ok) return false;
  const AddressParts addr_of = address_parts(ctx, in.ops[0], ctx.register_rows());
  uint8_t* window = nullptr;
  uint64_t window_base = 0, window_size = 0;
  if (space == StateSpace::Shared) {
    window = ctx.cta().shared.data();
    window_size = ctx.cta().shared.size();
  } else {
    GlobalMemory* global = ctx.launch().global;
    if (!global) return false;
    Warp::GlobalSpanCache& c = ctx.warp().global_span;
    const bool valid = c.owner == global && c.generation == global->generation();
    const uint64_t a0 = addr_of.at(unsigned(__builtin_ctz(ctx.mask)));
    if (!valid || a0 - c.base >= c.size) {
      GlobalSpan s;
      if (!global->span_at(a0, s)) return false;
      c = Warp::GlobalSpanCache{global, global->generation(), s.base, s.size, s.data};
    }
    window = c.data, window_base = c.base, window_size = c.size;
  }
  uint64_t addrs[32];
  unsigned count = 0;
  if (!gather_plain_addresses(addr_of, ctx.mask, size, window_base, window_size, addrs, count)) return false;
  TraceBatch batch(ctx.trace, ctx.summary);
  unsigned k = 0;
  for (uint32_t m = ctx.mask; m; m &= m - 1) {
    const unsigned lane = unsigned(__builtin_ctz(m));
    const uint64_t a = addrs[k++];
    fast_write(window + (a - window_base), size, value.at(lane));
    if (batch.active()) batch.add(MemAccess{space, a, uint8_t(size), true, false, uint8_t(lane)});
  }
  return true;
}

}  // namespace

void exec_St(ExecContext& ctx, const Instruction& in) {
  const unsigned size = elem_bytes(ctx, in);
  const Operand& src = in.ops[1];
  const unsigned n = src.kind == OperandKind::Vector ? src.count : 1;
  const StateSpace space = space_of(in);
  if (n == 1 && size <= 8 && ctx.mask && (space == StateSpace::Global || space == StateSpace::Shared) &&
      scalar_store_direct(ctx, in, size, space))
    return;
  const unsigned total = size * n;
  const bool fast = size <= 8 && (total & (total - 1)) == 0;
  FastWindows windows(ctx);
  TraceBatch batch(ctx.trace, ctx.summary);
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t addr = ctx.address(in.ops[0], lane);
    if (fast && (addr & (total - 1)) == 0) {
      StateSpace s = space;
      uint64_t a = addr;
      if (uint8_t* p = windows.bytes(s, a, total)) {
        for (unsigned i = 0; i < n; ++i) {
          fast_write(p + i * size, size, ctx.get(n == 1 ? src : ctx.elem(src, i), lane));
          if (batch.active()) batch.add(MemAccess{s, a + i * size, uint8_t(size), true, false, uint8_t(lane)});
        }
        return;
      }
    }
    if (batch.active()) batch.flush();  // the general path appends its own records
    check_alignment(ctx, addr, total, n, lane);
    for (unsigned i = 0; i < n; ++i) {
      const uint64_t v = ctx.get(n == 1 ? src : ctx.elem(src, i), lane);
      if (size > 8) ctx.fail(lane, ".b128 stores are not supported", FaultKind::Unsupported);
      ctx.store(space, addr + i * size, &v, size, lane);
    }
    windows.refresh();
  });
}

void exec_Prefetch(ExecContext& ctx, const Instruction& in) {}
void exec_Prefetchu(ExecContext& ctx, const Instruction& in) {}
// cp.async.bulk.prefetch(.tensor) only warms the L2 (a hint: it never faults, even out of bounds).
void exec_CpAsyncBulkPrefetch(ExecContext&, const Instruction&) {}
void exec_CpAsyncBulkPrefetchTensor(ExecContext&, const Instruction&) {}

void exec_Cvta(ExecContext& ctx, const Instruction& in) {
  const StateSpace s = in.mod.space;
  uint64_t base = 0;
  switch (s) {
    case StateSpace::Global: base = 0; break;
    case StateSpace::Shared: base = kSharedWindowBase; break;
    case StateSpace::Local: base = kLocalWindowBase; break;
    case StateSpace::Const: base = kConstBase; break;
    case StateSpace::Param: base = kParamWindowBase; break;  // a kernel parameter's generic address
    default: ctx.fail_warp(std::string("cvta for state space .") + space_name(s) + " is not supported", FaultKind::Unsupported);
  }
  const bool to_space = in.mod.sub == SubOp::CvtaToSpace;
  if (base == 0 && ctx.mask && alu::is_plain_register(in.ops[0])) {
    // Global (every kernel converts its pointer parameters this way): the address itself, either
    // way, so a row copy of the source; nothing can fault.
    alu::LaneSource a;
    alu::take_lane_source(ctx, in.ops[1], a);
    if (a.ok) return alu::write_register_row(ctx, in.ops[0], ctx.mask, [&](unsigned l) { return a.at(l); });
  }
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t a = ctx.get(in.ops[1], lane);
    uint64_t r = a + base;
    if (to_space) {
      if (base && (a < base || a >= base + kWindowSize)) {
        ctx.fail(lane, std::string("cvta.to.") + space_name(s) + " of generic address " + hex_text(a) + " which is not in the ." +
                           space_name(s) + " window", FaultKind::IllegalAddress);
      }
      r = a - base;
    }
    ctx.set(in.ops[0], lane, r);
  });
}

void exec_Isspacep(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t a = ctx.get(in.ops[1], lane);
    auto within = [&](uint64_t b) { return a >= b && a < b + kWindowSize; };
    bool r = false;
    switch (in.mod.space) {
      case StateSpace::Shared: r = within(kSharedWindowBase); break;
      case StateSpace::Local: r = within(kLocalWindowBase); break;
      case StateSpace::Const: r = within(kConstBase); break;
      case StateSpace::Param: r = within(kParamWindowBase); break;
      case StateSpace::Global:
        r = !within(kSharedWindowBase) && !within(kLocalWindowBase) && !within(kConstBase) && !within(kParamWindowBase);
        break;
      default: ctx.fail_warp("isspacep: unsupported state space", FaultKind::Unsupported);
    }
    ctx.set(in.ops[0], lane, r);
  });
}

// cp.async [dst], [src], cp-size{, src-size}: functional mode performs the copy immediately,
// which is one of the orders the asynchronous semantics allow; the timing model delays it.
void exec_CpAsync(ExecContext& ctx, const Instruction& in) {
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t dst = ctx.address(in.ops[0], lane);
    const uint64_t src = ctx.address(in.ops[1], lane);
    const unsigned cp = static_cast<unsigned>(ctx.get(in.ops[2], lane));
    // The fourth operand: src-size (bytes to read, the rest zero-filled) or, a predicate,
    // ignore-src (true: zero-fill all of it; PTX 7.5).
    unsigned valid = cp;
    if (in.nops > 3 && in.ops[3].kind != OperandKind::None) {
      const uint64_t v = ctx.get(in.ops[3], lane);  // a predicate reads as 0/1, its '!' applied
      valid = in.ops[3].pred ? (v ? 0u : cp) : static_cast<unsigned>(std::min<uint64_t>(v, cp));
    }
    if (cp != 4 && cp != 8 && cp != 16) ctx.fail(lane, "cp.async size must be 4, 8 or 16 bytes, got " + std::to_string(cp));
    // Both addresses aligned to the copy's size (the PTX ISA; a GPU faults): the source is read
    // in pieces below, which would take a misaligned one without a word.
    if (src % cp || dst % cp)
      ctx.fail(lane, std::string("misaligned cp.async ") + (src % cp ? "source " : "destination ") + hex_text(src % cp ? src : dst) +
                         " (cp.async needs its source and destination aligned to its " + std::to_string(cp) + "-byte size)",
               FaultKind::MisalignedAddress);
    if (valid > cp) valid = cp;
    uint8_t buf[16] = {};
    const StateSpace from = in.mod.space2 == StateSpace::None ? StateSpace::Global : in.mod.space2;
    for (unsigned i = 0; i < valid;) {
      const unsigned chunk = valid - i >= 4 && (src + i) % 4 == 0 ? 4 : 1;
      ctx.load(from, src + i, buf + i, chunk, lane);
      i += chunk;
    }
    ctx.store(StateSpace::Shared, dst, buf, cp, lane);
    // The bytes are written now; until the thread waits for them, reading them is a race.
    uint64_t offset = dst;
    if (offset >= kSharedWindowBase && offset < kSharedWindowBase + kWindowSize) offset -= kSharedWindowBase;
    ctx.cta().async_copies.issued(offset, cp, ctx.warp().id(), lane, &in);
  });
}
void exec_CpAsyncCommit(ExecContext& ctx, const Instruction& in) {
  ctx.warp().cp_async_groups += 1;
  ctx.cta().async_copies.committed(ctx.warp().id());
}
void exec_CpAsyncWaitGroup(ExecContext& ctx, const Instruction& in) {
  const uint64_t allowed = ctx.get(in.ops[0], unsigned(__builtin_ctz(ctx.mask ? ctx.mask : 1)));
  ctx.cta().async_copies.waited(ctx.warp().id(), ctx.mask, uint32_t(std::min<uint64_t>(allowed, UINT32_MAX)));
}
void exec_CpAsyncWaitAll(ExecContext& ctx, const Instruction& in) {
  ctx.warp().cp_async_groups = 0;
  ctx.cta().async_copies.completed_all(ctx.warp().id(), ctx.mask);
}

}  // namespace gpusim::isa
