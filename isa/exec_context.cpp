#include "isa/exec_context.h"

#include <cstdio>
#include <sstream>

#include "isa/device_services.h"
#include "isa/hex_text.h"
#include "isa/kernel_names.h"
#include "isa/launch_state.h"
#include "isa/source_position.h"

namespace gpusim::isa {

namespace {
// Param-space addresses of per-thread frame .param variables carry this tag so that one address
// value can name either the launch's kernel parameter buffer or a thread's frame.
constexpr uint64_t kFrameParamTag = 1ull << 40;

}  // namespace

DataType ExecContext::reg_type(uint32_t reg) const { return reg_info_[reg].type; }

bool ExecContext::carry(unsigned lane) const { return warp_.carry >> lane & 1; }
void ExecContext::set_carry(unsigned lane, bool cf) {
  warp_.carry = (warp_.carry & ~(1u << lane)) | (uint32_t(cf) << lane);
}

Dim3 ExecContext::tid(unsigned lane) const { return cta_.thread_coord(lane_thread_linear(lane)); }
unsigned ExecContext::lane_thread_linear(unsigned lane) const { return warp_.id() * 32 + lane; }

static uint64_t symbol_address(const ExecContext& ctx, const LaunchState& launch, const Warp& warp,
                               const Symbol& s) {
  switch (s.space) {
    case StateSpace::Global: return s.placed_address ? s.placed_address : launch.module_global_base + s.offset;
    case StateSpace::Const: return s.offset;
    case StateSpace::Shared: return s.offset + (s.is_extern ? launch.dynamic_shared_base : 0);
    case StateSpace::Local: return warp.frame().local_base + s.offset;
    case StateSpace::Param:
      return s.kernel_param ? s.offset : (kFrameParamTag | (warp.frame().param_base + s.offset));
    default: ctx.fail_warp("symbol '" + s.name + "' has no address in state space " + space_name(s.space));
  }
}

namespace {
// %globaltimer: nanoseconds, where %clock64 counts SM cycles (the two differ by the clock rate).
uint64_t clock_now(const LaunchState& l) { return l.clock + l.clock_offset; }
uint64_t globaltimer_ns(const LaunchState& l) { return l.clock_mhz ? clock_now(l) * 1000 / l.clock_mhz : clock_now(l); }
}  // namespace

uint64_t ExecContext::get_slow(const Operand& o, unsigned lane) const {
  switch (o.kind) {
    case OperandKind::Reg: {
      uint64_t v = read_register_lane(regs_, reg_info_[o.reg].slot, lane);
      if (reg_info_[o.reg].type == DataType::Pred) v = (v & 1) ^ uint64_t(o.negate);
      return v;
    }
    case OperandKind::Imm: return o.imm;
    case OperandKind::Symbol:
      return isa::symbol_address(*this, launch_, warp_, warp_.module().symbols[o.sym]) + o.imm;
    case OperandKind::Address: return address(o, lane);
    case OperandKind::Special: {
      switch (static_cast<SpecialReg>(o.reg)) {
        // (Only the %tid reads divide the thread index; every kernel reads %tid.x first thing.)
        case SpecialReg::TidX: return lane_thread_linear(lane) % launch_.block.x;
        case SpecialReg::TidY: return tid(lane).y;
        case SpecialReg::TidZ: return tid(lane).z;
        case SpecialReg::NtidX: return launch_.block.x;
        case SpecialReg::NtidY: return launch_.block.y;
        case SpecialReg::NtidZ: return launch_.block.z;
        case SpecialReg::CtaidX: return cta_.ctaid.x;
        case SpecialReg::CtaidY: return cta_.ctaid.y;
        case SpecialReg::CtaidZ: return cta_.ctaid.z;
        case SpecialReg::NctaidX: return launch_.grid.x;
        case SpecialReg::NctaidY: return launch_.grid.y;
        case SpecialReg::NctaidZ: return launch_.grid.z;
        case SpecialReg::Laneid: return lane;
        case SpecialReg::Warpid: return warp_.id();
        case SpecialReg::Nwarpid: return (cta_.thread_count() + 31) / 32;
        case SpecialReg::Smid: return launch_.smid;
        case SpecialReg::Nsmid: return launch_.nsmid;
        case SpecialReg::Gridid: return 0;
        case SpecialReg::Clock: return clock_now(launch_) & 0xffffffffu;
        case SpecialReg::Clock64: return clock_now(launch_);
        case SpecialReg::Globaltimer: return globaltimer_ns(launch_);
        case SpecialReg::LanemaskEq: return 1u << lane;
        case SpecialReg::LanemaskLt: return (1u << lane) - 1;
        case SpecialReg::LanemaskLe: return (2ull << lane) - 1;
        case SpecialReg::LanemaskGt: return uint32_t(~((2ull << lane) - 1));
        case SpecialReg::LanemaskGe: return uint32_t(~((1ull << lane) - 1));
        case SpecialReg::DynamicSmemSize: return launch_.dynamic_shared_bytes;
        case SpecialReg::TotalSmemSize: return launch_.dynamic_shared_base + launch_.dynamic_shared_bytes;
        case SpecialReg::GlobaltimerLo: return globaltimer_ns(launch_) & 0xffffffffu;
        case SpecialReg::GlobaltimerHi: return globaltimer_ns(launch_) >> 32;
        // The reserved region (LaunchState::reserved_shared_bytes) follows the CTA's own shared
        // memory; offsets 0 and 1 both name its start (cooperative groups' scratch is at 1).
        case SpecialReg::ReservedSmemOffsetBegin: case SpecialReg::ReservedSmemOffset0:
        case SpecialReg::ReservedSmemOffset1:
          return launch_.dynamic_shared_base + launch_.dynamic_shared_bytes;
        case SpecialReg::ReservedSmemOffsetEnd: case SpecialReg::AggrSmemSize:
          return launch_.dynamic_shared_base + launch_.dynamic_shared_bytes + launch_.reserved_shared_bytes;
        case SpecialReg::ReservedSmemOffsetCap: return launch_.reserved_shared_bytes;
        // Clusters (sm_90): launch_.cluster is {1,1,1} when the launch has none, which makes
        // every CTA a cluster of one.
        case SpecialReg::ClusteridX: return cta_.ctaid.x / launch_.cluster.x;
        case SpecialReg::ClusteridY: return cta_.ctaid.y / launch_.cluster.y;
        case SpecialReg::ClusteridZ: return cta_.ctaid.z / launch_.cluster.z;
        case SpecialReg::NclusteridX: return launch_.grid.x / launch_.cluster.x;
        case SpecialReg::NclusteridY: return launch_.grid.y / launch_.cluster.y;
        case SpecialReg::NclusteridZ: return launch_.grid.z / launch_.cluster.z;
        case SpecialReg::ClusterCtaidX: return cta_.ctaid.x % launch_.cluster.x;
        case SpecialReg::ClusterCtaidY: return cta_.ctaid.y % launch_.cluster.y;
        case SpecialReg::ClusterCtaidZ: return cta_.ctaid.z % launch_.cluster.z;
        case SpecialReg::ClusterNctaidX: return launch_.cluster.x;
        case SpecialReg::ClusterNctaidY: return launch_.cluster.y;
        case SpecialReg::ClusterNctaidZ: return launch_.cluster.z;
        case SpecialReg::ClusterCtarank: {
          const Dim3& c = launch_.cluster;
          return cta_.ctaid.x % c.x + c.x * (cta_.ctaid.y % c.y + c.y * (cta_.ctaid.z % c.z));
        }
        case SpecialReg::ClusterNctarank: return launch_.cluster.count();
        case SpecialReg::IsExplicitCluster: return launch_.explicit_cluster ? 1 : 0;
        case SpecialReg::ClockHi: return clock_now(launch_) >> 32;
        // Graph launches run their kernels as ordinary launches here (no graph handle reaches
        // the device), and no profiler programs the performance counters.
        case SpecialReg::CurrentGraphExec: return 0;
        case SpecialReg::Count: break;
        default: {
          if (o.reg >= uint32_t(SpecialReg::Pm0) && o.reg < uint32_t(SpecialReg::Envreg0)) return 0;
          // %envreg<n>: the driver's launch environment. nvcc's cooperative-groups grid code
          // reads the grid-barrier workspace address from %envreg1 (high half) and %envreg2
          // (low half); it is zero unless the launch is cooperative. The rest read as zero.
          const unsigned n = o.reg - uint32_t(SpecialReg::Envreg0);
          if (n == 1) return launch_.grid_workspace >> 32;
          if (n == 2) return launch_.grid_workspace & 0xffffffffu;
          return 0;
        }
      }
      fail_warp("unknown special register");
    }
    case OperandKind::Sink: return 0;
    case OperandKind::Function: return function_address(o.reg);
    default: fail_warp("operand cannot be read as a value");
  }
}

void ExecContext::special_lanes(const Operand& o, uint32_t mask, uint64_t* out) const {
  switch (static_cast<SpecialReg>(o.reg)) {
    case SpecialReg::TidX: {
      // Lane l's thread is warp_id * 32 + l: its x the previous lane's plus one, wrapping at ntid.x.
      const uint32_t nx = launch_.block.x;
      uint32_t x = lane_thread_linear(0) % nx;
      for (unsigned l = 0; l < 32; ++l) {
        out[l] = x;
        if (++x == nx) x = 0;
      }
      return;
    }
    case SpecialReg::TidY: case SpecialReg::TidZ: case SpecialReg::Laneid: case SpecialReg::LanemaskEq:
    case SpecialReg::LanemaskLt: case SpecialReg::LanemaskLe: case SpecialReg::LanemaskGt: case SpecialReg::LanemaskGe:
      for_each_lane(mask, [&](unsigned l) { out[l] = get_slow(o, l); });
      return;
    default: {
      // The rest name the CTA, the launch or the SM: one value for every lane.
      const uint64_t v = get_slow(o, unsigned(__builtin_ctz(mask)));
      for_each_lane(mask, [&](unsigned l) { out[l] = v; });
      return;
    }
  }
}

uint64_t ExecContext::symbol_address(uint32_t sym) const {
  return isa::symbol_address(*this, launch_, warp_, warp_.module().symbols[sym]);
}

// Copies an access's bytes; the common sizes as fixed-size copies (a register move each), not a
// call into the C library.
static inline void copy_access(void* to, const void* from, unsigned size) {
  switch (size) {
    case 1: std::memcpy(to, from, 1); return;
    case 2: std::memcpy(to, from, 2); return;
    case 4: std::memcpy(to, from, 4); return;
    case 8: std::memcpy(to, from, 8); return;
    default: std::memcpy(to, from, size);
  }
}

// The host bytes of global [addr, addr+size) through the warp's cached allocation span (one
// allocation lookup when the warp moves to another allocation, not one per lane), or null when
// the memory offers no span or the access leaves the allocation (the caller then takes
// GlobalMemory::read/write, which report the fault as before).
static uint8_t* cached_global(Warp& warp, GlobalMemory* global, uint64_t addr, unsigned size) {
  Warp::GlobalSpanCache& c = warp.global_span;
  auto inside = [&] { return addr - c.base < c.size && size <= c.size - (addr - c.base); };
  if (c.owner != global || c.generation != global->generation() || !inside()) {
    GlobalSpan s;
    if (!global->span_at(addr, s)) return nullptr;
    c = Warp::GlobalSpanCache{global, global->generation(), s.base, s.size, s.data};
    if (!inside()) return nullptr;
  }
  return c.data + (addr - c.base);
}

// Returns the host bytes backing [addr, addr+size) in a per-CTA or per-thread space, or null.
static uint8_t* window(ExecContext& ctx, LaunchState& launch, CtaState& cta, Warp& warp, StateSpace space,
                       uint64_t addr, unsigned size, unsigned lane, bool write) {
  auto in = [&](size_t limit) { return addr <= limit && size <= limit - addr; };
  switch (space) {
    case StateSpace::Shared: {
      // A shared::cluster address of CTA rank r (mapa) reaches that CTA's shared memory.
      CtaState* owner = &cta;
      if (addr >> kClusterRankShift) {
        owner = cta.cluster_peer(uint32_t(addr >> kClusterRankShift) - 1);
        addr &= (uint64_t(1) << kClusterRankShift) - 1;
        if (!owner) return nullptr;
      }
      return in(owner->shared.size()) ? owner->shared.data() + addr : nullptr;
    }
    case StateSpace::Local: return in(warp.local(lane).size()) ? warp.local(lane).data() + addr : nullptr;
    case StateSpace::Param:
      if (addr & kFrameParamTag) {
        addr &= ~kFrameParamTag;
        return in(warp.param_frame(lane).size()) ? warp.param_frame(lane).data() + addr : nullptr;
      }
      if (write) ctx.fail(lane, "store to kernel parameter space (kernel parameters are read-only)", FaultKind::IllegalAddress);
      return in(launch.params.size()) ? launch.params.data() + addr : nullptr;
    case StateSpace::Const:
      if (write) ctx.fail(lane, "store to constant memory", FaultKind::IllegalAddress);
      if (!launch.const_bank) return nullptr;
      return in(launch.const_bank->size()) ? const_cast<uint8_t*>(launch.const_bank->data()) + addr : nullptr;
    default: return nullptr;
  }
}

namespace {
// " (no allocation covers it; 12 bytes past the end of the 4000-byte allocation at 0x...)"; for an
// access that starts inside an allocation and runs past its end, how far (the start alone named
// the next allocation: "280 bytes before the 4-byte allocation at ...").
std::string miss_note(const LaunchState& launch, uint64_t addr, unsigned size) {
  GlobalMemory& global = *launch.global;
  GlobalSpan s;
  if (global.span_at(addr, s) && addr - s.base < s.size) {
    const uint64_t inside = s.size - (addr - s.base);
    return " (its first " + std::to_string(inside) + (inside == 1 ? " byte is" : " bytes are") + " the end of the " +
           std::to_string(s.size) + "-byte allocation at " + hex_text(s.base) + ", its last " + std::to_string(size - inside) +
           " past it)";
  }
  const std::string where = global.describe_miss(addr);
  // A pointer device malloc returned as NULL, indexed: its accesses land in the first bytes.
  constexpr uint64_t kNullReach = uint64_t(1) << 20;
  const std::string heap = addr < kNullReach && launch.services ? launch.services->null_malloc_note() : std::string();
  return " (no allocation covers it" + (where.empty() ? std::string() : "; " + where) + ")" +
         (heap.empty() ? std::string() : "; " + heap);
}
// For a shared-memory fault: how much the CTA has, and the usual cause of a fault at its start,
// an extern __shared__ array launched without dynamic shared memory (<<<grid, block>>>) -- only
// where the kernel (or a function it calls) names one: otherwise the hint would send the user to
// the launch when an index runs past a static __shared__ array.
std::string shared_note(const LaunchState& launch, const CtaState& cta) {
  std::string note = " (the CTA has " + std::to_string(cta.shared.size() - launch.reserved_shared_bytes) +
                     " bytes of shared memory, " + std::to_string(launch.dynamic_shared_bytes) + " of them dynamic";
  if (launch.kernel->names_dynamic_shared && launch.dynamic_shared_bytes == 0)
    note += "; its extern __shared__ array is empty: give the launch dynamic shared memory (<<<grid, block, bytes>>>; gpusim launch --shared BYTES)";
  return note + ")";
}
// A vector load or store is checked element by element: the fault names the element's size, and
// this says which access it belongs to (" (an element of a 16-byte .v4 store)").
std::string vector_note(const Instruction* inst, unsigned size) {
  if (!inst || (inst->op != Opcode::Ld && inst->op != Opcode::Ldu && inst->op != Opcode::St)) return "";
  for (unsigned i = 0; i < inst->nops; ++i)
    if (inst->ops[i].kind == OperandKind::Vector && inst->ops[i].count > 1)
      return " (an element of a " + std::to_string(inst->ops[i].count * size) + "-byte .v" +
             std::to_string(inst->ops[i].count) + (inst->op == Opcode::St ? " store)" : " load)");
  return "";
}
}  // namespace

void ExecContext::check_async_copies(uint64_t offset, unsigned size, unsigned lane) const {
  const AsyncCopyTracker::Copy* c = cta_.async_copies.overlapping(offset, size);
  if (!c) return;
  std::string issued = "warp " + std::to_string(c->warp) + " lane " + std::to_string(c->lane) + "'s cp.async";
  if (c->issued_by && c->issued_by->line) {
    const std::string source = cuda_source_position(*c->issued_by, warp_.module());
    issued += " (PTX line " + std::to_string(c->issued_by->line) + (source.empty() ? "" : ", " + source) + ")";
  }
  fail_warp("lane " + std::to_string(lane) + " reads shared memory at " + hex_text(offset) + " (" + std::to_string(size) +
                " bytes) that " + issued + " copies into and has not waited for: cp.async completes only at the " +
                "issuing thread's cp.async.wait_group/wait_all (then a barrier, for other threads), so on a GPU this "
                "read may see the bytes before or after the copy lands (a race)",
            FaultKind::Other);
}

void ExecContext::load_impl(StateSpace space, uint64_t addr, void* out, unsigned size, unsigned lane, bool atomic) {
  const uint64_t original = addr;
  space = resolve_space(space, addr);
  if (size && (size & (size - 1)) == 0 && size <= 16 && (addr & (size - 1)))
    fail(lane, "misaligned " + std::string(space_name(space)) + (atomic ? " atomic access of " : " load of ") + std::to_string(size) +
                   " bytes at address " + hex_text(original), FaultKind::MisalignedAddress);
  if (space == StateSpace::Global) {
    if (uint8_t* p = cached_global(warp_, launch_.global, addr, size)) copy_access(out, p, size);
    else if (!launch_.global->read(addr, out, size))
      fail(lane, std::string(atomic ? "out-of-bounds global atomic access of " : "out-of-bounds global load of ") + std::to_string(size) + " bytes at address " + hex_text(addr) +
                     vector_note(inst, size) + miss_note(launch_, addr, size), FaultKind::IllegalAddress);
  } else if (space == StateSpace::Shared && addr < cta_.shared.size() && size <= cta_.shared.size() - addr) {
    if (!cta_.async_copies.empty()) check_async_copies(addr, size, lane);
    copy_access(out, cta_.shared.data() + addr, size);  // this CTA's own shared memory (no cluster rank bits)
  } else {
    uint8_t* p = window(*this, launch_, cta_, warp_, space, addr, size, lane, false);
    if (!p)
      fail(lane, "out-of-bounds " + std::string(space_name(space)) + (atomic ? " atomic access of " : " load of ") + std::to_string(size) +
                     " bytes at address " + hex_text(original) + vector_note(inst, size) +
                     (space == StateSpace::Shared ? shared_note(launch_, cta_) : std::string()),
           FaultKind::IllegalAddress);
    copy_access(out, p, size);
  }
  if (trace) trace->push_back(MemAccess{space, addr, uint8_t(size), false, atomic, uint8_t(lane)});
}

void ExecContext::store_impl(StateSpace space, uint64_t addr, const void* in, unsigned size, unsigned lane,
                             bool atomic) {
  const uint64_t original = addr;
  space = resolve_space(space, addr);
  if (size && (size & (size - 1)) == 0 && size <= 16 && (addr & (size - 1)))
    fail(lane, "misaligned " + std::string(space_name(space)) + " store of " + std::to_string(size) +
                   " bytes at address " + hex_text(original), FaultKind::MisalignedAddress);
  if (space == StateSpace::Global) {
    if (uint8_t* p = cached_global(warp_, launch_.global, addr, size)) copy_access(p, in, size);
    else if (!launch_.global->write(addr, in, size))
      fail(lane, "out-of-bounds global store of " + std::to_string(size) + " bytes at address " + hex_text(addr) +
                     vector_note(inst, size) + miss_note(launch_, addr, size), FaultKind::IllegalAddress);
  } else if (space == StateSpace::Shared && addr < cta_.shared.size() && size <= cta_.shared.size() - addr) {
    copy_access(cta_.shared.data() + addr, in, size);
  } else {
    uint8_t* p = window(*this, launch_, cta_, warp_, space, addr, size, lane, true);
    if (!p)
      fail(lane, "out-of-bounds " + std::string(space_name(space)) + " store of " + std::to_string(size) +
                     " bytes at address " + hex_text(original) + vector_note(inst, size) +
                     (space == StateSpace::Shared ? shared_note(launch_, cta_) : std::string()),
           FaultKind::IllegalAddress);
    copy_access(p, in, size);
  }
  if (trace && !atomic) trace->push_back(MemAccess{space, addr, uint8_t(size), true, atomic, uint8_t(lane)});
}

// Where each caller of the warp's current function called it, innermost first: ", called from
// 'k' at PTX line 120 (bugs.cu:58)". A -G build keeps device functions such as __trap and
// __syncwarp out of line and without line information, so the user's line is a call site's.
// Recursion repeats one call site: a run of them is said once with its count ("9 times"), so
// that a deep recursion still shows the way back to the kernel.
static std::string call_sites(const Warp& warp) {
  constexpr size_t kShown = 8;
  const std::vector<CallFrame>& frames = warp.frames();
  std::string out;
  size_t shown = 0;
  bool cut = false;
  for (size_t i = frames.size(); i-- > 1;) {
    const Instruction* site = frames[i].call_site;
    if (!site) continue;
    const Function* caller = frames[i - 1].fn;
    size_t repeats = 1;
    while (i > 1 && frames[i - 1].call_site == site && frames[i - 2].fn == caller) --i, ++repeats;
    if (shown == kShown) {
      cut = true;
      break;
    }
    const std::string source = cuda_source_position(*site, warp.module());
    out += (shown++ ? ", from '" : ", called from '") + readable_function_name(caller->name) + "' at PTX line " +
           std::to_string(site->line) + (source.empty() ? "" : " (" + source + ")") +
           (repeats > 1 ? " " + std::to_string(repeats) + " times" : "");
  }
  if (cut || frames.size() > kShown + 1) out += " (" + std::to_string(frames.size() - 1) + " calls deep)";
  return out;
}

static std::string location(const ExecContext& ctx, const CtaState& cta, const Warp& warp, uint32_t pc,
                            const Instruction* inst) {
  std::ostringstream os;
  os << cta.where() << ", warp " << warp.id();
  // The function the warp is in, where it is not the kernel itself, and (after its position) its callers.
  const bool called = !warp.done() && warp.frame().fn->name != cta.launch().kernel->name;
  if (called) os << ", function '" << readable_function_name(warp.frame().fn->name) << "'";
  os << ", PC " << pc;
  if (inst) {
    // The PTX line, and with nvcc -lineinfo the CUDA source line it was compiled from.
    const std::string source = cuda_source_position(*inst, warp.module());
    os << " (" << warp.module().source_name << ":" << inst->line << (source.empty() ? "" : ", " + source) << ")";
  }
  if (called) os << call_sites(warp);
  return os.str();
}

void ExecContext::fail(unsigned lane, const std::string& what, FaultKind kind) const {
  const Dim3 t = tid(lane);
  std::ostringstream os;
  os << location(*this, cta_, warp_, pc, inst) << ", thread (" << t.x << "," << t.y << "," << t.z << ") lane "
     << lane << ": " << what;
  if (inst && !inst->text.empty()) os << "\n    " << inst->text;
  throw ExecError(os.str(), kind, &warp_);
}

void ExecContext::fail_warp(const std::string& what, FaultKind kind) const {
  std::ostringstream os;
  os << location(*this, cta_, warp_, pc, inst) << ": " << what;
  if (inst && !inst->text.empty()) os << "\n    " << inst->text;
  throw ExecError(os.str(), kind, &warp_);
}

const char* fault_kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::IllegalAddress: return "illegal address";
    case FaultKind::MisalignedAddress: return "misaligned address";
    case FaultKind::Assert: return "assert";
    case FaultKind::Trap: return "trap";
    case FaultKind::Barrier: return "barrier";
    case FaultKind::Runaway: return "runaway";
    case FaultKind::Unsupported: return "unsupported";
    case FaultKind::Other: break;
  }
  return "other";
}

}  // namespace gpusim::isa
