// What one warp-instruction sees while it executes: the lanes that run it, their registers,
// the thread coordinates, and the memory spaces. Semantic handlers (isa/exec_*.cpp) are written
// against this class only; the functional executor and the timing model both drive them.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "isa/ir.h"
#include "isa/register_file.h"
#include "isa/warp.h"

namespace gpusim::isa {

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
};

// "(x,y,z)", as launch messages write a grid or a block.
inline std::string dims_text(const Dim3& d) {
  return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

// What kind of fault stopped a kernel, so that a CUDA runtime can return the error a GPU would
// (cudaErrorIllegalAddress, cudaErrorMisalignedAddress, cudaErrorAssert, cudaErrorLaunchFailure...).
enum class FaultKind : uint8_t {
  Other,              // anything not listed below
  IllegalAddress,     // out of bounds / no allocation / wrong state space
  MisalignedAddress,  // an access not aligned to its size
  Assert,             // a device-side assert() failed (__assertfail)
  Trap,               // `trap` executed
  Barrier,            // barrier that can never complete, divergent or malformed barrier use
  Runaway,            // the launch ran past its instruction budget (probable infinite loop)
  Unsupported,        // an instruction or form the simulator does not implement
};
const char* fault_kind_name(FaultKind kind);  // "illegal address", "assert", ...

class Warp;

// A run-time fault inside a kernel, located precisely enough for a user to find it. `warp`: the
// warp whose instruction faulted, where one did (the stepper shows it after the fault), else null;
// an identity only, not to be read once the launch has ended.
class ExecError : public std::runtime_error {
 public:
  explicit ExecError(const std::string& what, FaultKind kind = FaultKind::Other, const Warp* warp = nullptr)
      : std::runtime_error(what), kind_(kind), warp_(warp) {}
  FaultKind kind() const { return kind_; }
  const Warp* warp() const { return warp_; }

 private:
  FaultKind kind_;
  const Warp* warp_;
};

// Device (global) memory as the kernel sees it. Implemented by the runtime, which owns the
// allocations; a false return means "no allocation covers [addr, addr+size)".
// An allocation's bytes as host memory: device addresses [base, base + size) live at `data`.
struct GlobalSpan {
  uint64_t base = 0, size = 0;
  uint8_t* data = nullptr;
};

class GlobalMemory {
 public:
  virtual ~GlobalMemory() = default;
  virtual bool read(uint64_t addr, void* out, unsigned size) = 0;
  virtual bool write(uint64_t addr, const void* in, unsigned size) = 0;
  // The allocation containing `addr` as host bytes, so that the executor can cache it per warp
  // and skip read()/write() (an allocation lookup per lane) while a warp stays inside it. False
  // (the default) where the memory has no such bytes or wants every access to go through
  // read()/write().
  virtual bool span_at(uint64_t addr, GlobalSpan& out) { (void)addr, (void)out; return false; }
  // For a fault report on an address no allocation covers: where it lies against the nearest
  // allocation ("12 bytes past the end of the 4000-byte allocation at 0x..."), or "".
  virtual std::string describe_miss(uint64_t addr) const { (void)addr; return ""; }
  // Changes whenever an allocation goes away: a cached span of an older generation is stale.
  uint64_t generation() const { return generation_; }

 protected:
  void allocation_removed() { ++generation_; }

 private:
  uint64_t generation_ = 0;
};

// Generic-address windows (cvta). Global addresses are used as they are; shared and local
// addresses are offsets inside their windows. Chosen far above any device allocation.
constexpr uint64_t kSharedWindowBase = 0x0000'7e00'0000'0000ull;
constexpr uint64_t kLocalWindowBase = 0x0000'7f00'0000'0000ull;
constexpr uint64_t kWindowSize = 0x0000'0001'0000'0000ull;  // 4 GiB each
constexpr uint64_t kConstBase = 0x0000'7d00'0000'0000ull;    // .const space addresses
constexpr uint64_t kParamWindowBase = 0x0000'7a00'0000'0000ull;  // cvta.param: kernel parameters

// Resolves a generic address to its state space and its offset there; other spaces pass through.
inline StateSpace resolve_space(StateSpace space, uint64_t& addr) {
  if (space != StateSpace::Generic && space != StateSpace::None) return space;
  if (addr >= kSharedWindowBase && addr < kSharedWindowBase + kWindowSize) {
    addr -= kSharedWindowBase;
    return StateSpace::Shared;
  }
  if (addr >= kLocalWindowBase && addr < kLocalWindowBase + kWindowSize) {
    addr -= kLocalWindowBase;
    return StateSpace::Local;
  }
  if (addr >= kConstBase && addr < kConstBase + kWindowSize) {
    addr -= kConstBase;
    return StateSpace::Const;
  }
  if (addr >= kParamWindowBase && addr < kParamWindowBase + kWindowSize) {  // cvta.param (kernel parameters)
    addr -= kParamWindowBase;
    return StateSpace::Param;
  }
  return StateSpace::Global;
}

// One memory access made by one lane, reported to whoever drives execution (the timing model
// coalesces these; the functional mode ignores them).
// 16 bytes (the address first, the small fields packed behind it): the timing model reads up to
// 32 of these per memory instruction, and 24-byte records cost cache misses.
struct MemAccess {
  MemAccess() = default;
  MemAccess(StateSpace space_, uint64_t addr_, uint8_t size_, bool write_, bool atomic_, uint8_t lane_)
      : addr(addr_), space(space_), size(size_), write(write_), atomic(atomic_), lane(lane_) {}
  uint64_t addr = 0;                    // in its space
  StateSpace space = StateSpace::None;  // resolved (never Generic)
  uint8_t size = 0;
  bool write = false;
  bool atomic = false;
  uint8_t lane = 0;
};
static_assert(sizeof(MemAccess) == 16, "MemAccess is packed into 16 bytes");

class Warp;
class CtaState;
struct LaunchState;
struct AffineAccess;  // isa/affine_access.h

class ExecContext {
 public:
  ExecContext(Warp& warp, CtaState& cta, LaunchState& launch) : warp_(warp), cta_(cta), launch_(launch) {
    if (!warp.done()) {
      CallFrame& f = warp.frame();
      regs_ = f.regs.data();
      reg_info_ = f.fn->regs.data();
    }
  }

  // Lanes executing the current instruction: active SIMT mask AND the guard predicate.
  uint32_t mask = 0;
  const Instruction* inst = nullptr;
  uint32_t pc = 0;
  // Set by an instruction that holds the warp where it is without running (barrier.cluster.wait
  // before its phase completes): the step is not counted and the warp's turn ends.
  bool waiting = false;

  // Source operand value for `lane`: register (zero-extended storage), immediate bits, special
  // register, or symbol address. Predicates read as 0/1 (negated when written "!%p").
  uint64_t get(const Operand& o, unsigned lane) const {
    if (o.kind == OperandKind::Reg) {  // the common case, inline
      const uint64_t v = read_register_lane(regs_, o.slot, lane);
      return o.pred ? ((v & 1) ^ uint64_t(o.negate)) : v;
    }
    if (o.kind == OperandKind::Imm) return o.imm;
    return get_slow(o, lane);
  }
  // get() of Special operand `o` for every lane of `mask` (mask != 0) into out[lane], the register
  // decoded once for the instruction rather than per lane: a value every lane shares (%ctaid,
  // %ntid, %clock, ...) read once, %tid.x counted up lane by lane instead of divided per lane.
  void special_lanes(const Operand& o, uint32_t mask, uint64_t* out) const;
  // Vector element `i` of a Vector operand.
  const Operand& elem(const Operand& vec, unsigned i) const { return inst->elems[vec.first + i]; }
  // Write a destination register for `lane`; `v` is truncated to the register's declared width.
  void set(uint32_t reg, unsigned lane, uint64_t v) {
    write_register_lane(regs_, reg_info_[reg].slot, lane, v & register_value_mask(reg_info_[reg].type));
  }
  // (The operand form takes the register's width and place from the operand, decoded once at load.)
  void set(const Operand& dst, unsigned lane, uint64_t v) {
    if (dst.kind == OperandKind::Reg) write_register_lane(regs_, dst.slot, lane, v & (~0ull >> dst.value_shift));
  }
  // The frame's register file (isa/register_file.h), for handlers that take a register's lanes
  // once per instruction, and where register `reg` lies in it.
  uint8_t* register_rows() const { return regs_; }
  uint32_t register_slot(uint32_t reg) const { return reg_info_[reg].slot; }
  DataType reg_type(uint32_t reg) const;
  // Per-lane carry flag (CC.CF) for add.cc / addc / sub.cc / subc / mad.cc / madc.
  bool carry(unsigned lane) const;
  void set_carry(unsigned lane, bool cf);

  // Effective address of an Address operand for `lane`, in the instruction's state space
  // (or generic when the instruction has none). With a base register of 32 bits or fewer the sum
  // is taken modulo 2^32, as the hardware computes a 32-bit address: nvcc -O2 keeps a shared
  // address as a "negative" 32-bit register plus a positive offset ([%r87+1024] with %r87 =
  // 0xfffffc10, from buf[i % STAGES] in multi-stage cp.async pipelines).
  uint64_t address(const Operand& addr, unsigned lane) const {
    uint64_t v = addr.imm;
    if (addr.sym != kNoSymbol) v += symbol_address(addr.sym);
    if (addr.reg != kNoReg) v = (v + read_register_lane(regs_, addr.slot, lane)) & address_keep(addr);
    return v;
  }
  // The bits an address with base register `addr` keeps: 32 for a register of 32 bits or fewer.
  static uint64_t address_keep(const Operand& addr) { return addr.value_shift >= 32 ? 0xffffffffull : ~0ull; }
  // The address of module symbol `sym` in its own state space (frame-relative ones in this frame).
  uint64_t symbol_address(uint32_t sym) const;
  // Loads and stores in a state space; Generic addresses are resolved to their window here.
  // Faults (no allocation, out of bounds, misaligned) throw ExecError naming kernel, CTA,
  // thread, PC, PTX line and address.
  void load(StateSpace space, uint64_t addr, void* out, unsigned size, unsigned lane) {
    load_impl(space, addr, out, size, lane, false);
  }
  void store(StateSpace space, uint64_t addr, const void* in, unsigned size, unsigned lane) {
    store_impl(space, addr, in, size, lane, false);
  }
  // Atomic read-modify-write of `size` (2, 4 or 8) bytes; returns the old value.
  // `fn(old) -> new` runs while no other thread can intervene (functional execution is serial).
  template <typename Fn>
  uint64_t atomic(StateSpace space, uint64_t addr, unsigned size, unsigned lane, Fn fn) {
    uint64_t old = 0;
    load_impl(space, addr, &old, size, lane, /*atomic=*/true);
    uint64_t nv = fn(old);
    store_impl(space, addr, &nv, size, lane, /*atomic=*/true);
    return old;
  }

  // Thread coordinates.
  unsigned lane_thread_linear(unsigned lane) const;  // linear thread index in the CTA
  Dim3 tid(unsigned lane) const;

  // Throws ExecError of `kind` with the full location of `lane` and the current instruction.
  [[noreturn]] void fail(unsigned lane, const std::string& what, FaultKind kind = FaultKind::Other) const;
  // Same, for warp-wide problems (no single lane at fault).
  [[noreturn]] void fail_warp(const std::string& what, FaultKind kind = FaultKind::Other) const;

  Warp& warp() { return warp_; }
  CtaState& cta() { return cta_; }
  LaunchState& launch() { return launch_; }
  const Warp& warp() const { return warp_; }

  // Accesses made by the current instruction (cleared by the driver before each instruction).
  std::vector<MemAccess>* trace = nullptr;
  // Where the driver takes a summary instead of records (null: it wants records): a load or store
  // whose records would all fit one AffineAccess writes that here and leaves `trace` empty.
  AffineAccess* summary = nullptr;

 private:
  uint64_t get_slow(const Operand& o, unsigned lane) const;
  void load_impl(StateSpace space, uint64_t addr, void* out, unsigned size, unsigned lane, bool atomic);
  // A read of the CTA's shared bytes [offset, offset + size) that a pending cp.async writes is a
  // kernel fault (isa/async_copy_tracker.h).
  void check_async_copies(uint64_t offset, unsigned size, unsigned lane) const;
  void store_impl(StateSpace space, uint64_t addr, const void* in, unsigned size, unsigned lane, bool atomic);

  Warp& warp_;
  CtaState& cta_;
  LaunchState& launch_;
  // The registers of the frame the instruction started in, looked up once per instruction rather
  // than per operand and lane. A frame's register storage stays put while the frame lives (frames
  // move, their vectors' buffers do not); `call` pushes a new frame, so a handler must not read
  // or write registers after Warp::call (exec_Call does not).
  uint8_t* regs_ = nullptr;
  const RegInfo* reg_info_ = nullptr;
};

// Iterate the set bits of a lane mask.
template <typename Fn>
inline void for_each_lane(uint32_t mask, Fn fn) {
  while (mask) {
    unsigned lane = static_cast<unsigned>(__builtin_ctz(mask));
    fn(lane);
    mask &= mask - 1;
  }
}

// Every opcode has one handler: `void exec_<Enum>(ExecContext&, const Instruction&)`.
#define X(E, N, U) void exec_##E(ExecContext& ctx, const Instruction& in);
#include "isa/opcodes.def"
#undef X

}  // namespace gpusim::isa
