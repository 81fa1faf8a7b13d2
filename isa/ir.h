// The decoded PTX intermediate representation.
//
// A Module is parsed once from PTX text; every instruction is decoded into a compact Instruction
// (opcode enum, typed modifiers, operands resolved to register indices / symbol ids / label PCs),
// so that neither the functional executor nor the timing model ever looks at text again.
// Nothing here knows about time.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace gpusim::isa {

enum class Opcode : uint16_t {
#define X(E, N, U) E,
#include "isa/opcodes.def"
#undef X
  Count
};

// Functional-unit class. The timing model maps each class to a pipeline; the functional
// executor ignores it.
enum class Unit : uint8_t { Int, Fp32, Fp64, Sfu, Mem, Tensor, Branch, Sync };

const char* opcode_name(Opcode op);
Unit default_unit(Opcode op);
const char* unit_name(Unit u);

enum class DataType : uint8_t {
  None, Pred,
  B8, B16, B32, B64, B128,
  U8, U16, U32, U64,
  S8, S16, S32, S64,
  F16, F16x2, BF16, BF16x2, TF32, F32, F64,
  E4M3x2, E5M2x2,            // two FP8 values in 16 bits (cvt only)
  U2, S2, U4, S4,            // cvt.pack.sat destination fields
  B1,                        // wgmma .b1 multiplicands (bits packed 32 to a register)
  S16x2, U16x2,              // two 16-bit integers in 32 bits (sm_90 add/sub/min/max: DPX intrinsics)
};
const char* type_name(DataType t);   // "f32", "pred", ...
// The three type queries below are inline: every ALU handler asks them once per lane.
// Storage width in bits (pred: 1).
inline unsigned type_bits(DataType t) {
  switch (t) {
    case DataType::None: return 0;
    case DataType::Pred: return 1;
    case DataType::B8: case DataType::U8: case DataType::S8: return 8;
    case DataType::B16: case DataType::U16: case DataType::S16: case DataType::F16:
    case DataType::BF16: return 16;
    case DataType::B32: case DataType::U32: case DataType::S32: case DataType::F16x2:
    case DataType::BF16x2: case DataType::TF32: case DataType::F32: case DataType::S16x2: case DataType::U16x2:
      return 32;
    case DataType::B64: case DataType::U64: case DataType::S64: case DataType::F64: return 64;
    case DataType::B128: return 128;
    case DataType::E4M3x2: case DataType::E5M2x2: return 16;
    case DataType::U2: case DataType::S2: return 2;
    case DataType::U4: case DataType::S4: return 4;
    case DataType::B1: return 1;
  }
  return 0;
}
// s8..s64 (and the s2/s4 cvt.pack fields).
inline bool type_is_signed(DataType t) {
  return t == DataType::S8 || t == DataType::S16 || t == DataType::S32 || t == DataType::S64 || t == DataType::S2 ||
         t == DataType::S4;
}
// f16, f16x2, bf16, bf16x2, tf32, f32, f64 (and the packed fp8 pairs).
inline bool type_is_float(DataType t) {
  switch (t) {
    case DataType::F16: case DataType::F16x2: case DataType::BF16: case DataType::BF16x2:
    case DataType::TF32: case DataType::F32: case DataType::F64: case DataType::E4M3x2: case DataType::E5M2x2:
      return true;
    default: return false;
  }
}

// The bits a register of type `t` keeps (predicates keep 1). Inline: it is on the hot path of
// every register write.
inline uint64_t register_value_mask(DataType t) {
  switch (t) {
    case DataType::Pred: return 1;
    case DataType::B8: case DataType::U8: case DataType::S8: return 0xff;
    case DataType::B16: case DataType::U16: case DataType::S16: case DataType::F16: case DataType::BF16:
    case DataType::E4M3x2: case DataType::E5M2x2:
      return 0xffff;
    case DataType::B32: case DataType::U32: case DataType::S32: case DataType::F32: case DataType::F16x2:
    case DataType::BF16x2: case DataType::TF32: case DataType::S16x2: case DataType::U16x2:
      return 0xffffffffull;
    default: return ~0ull;
  }
}

enum class StateSpace : uint8_t { None, Reg, Global, Shared, Local, Param, Const, Generic };
const char* space_name(StateSpace s);

enum class Rounding : uint8_t { None, Rn, Rz, Rm, Rp, Rna, Rni, Rzi, Rmi, Rpi };
enum class CmpOp : uint8_t {
  None, Eq, Ne, Lt, Le, Gt, Ge, Lo, Ls, Hi, Hs,   // ordered / unsigned integer
  Equ, Neu, Ltu, Leu, Gtu, Geu, Num, Nan          // unordered float compares
};
enum class BoolOp : uint8_t { None, And, Or, Xor };
enum class MulMode : uint8_t { None, Lo, Hi, Wide };
// Atomic / reduction operation (atom, red, redux, bar.red, vote).
enum class AtomOp : uint8_t { None, Add, Min, Max, Exch, Cas, And, Or, Xor, Inc, Dec, Popc };
enum class ShflMode : uint8_t { None, Up, Down, Bfly, Idx };
enum class VoteMode : uint8_t { None, All, Any, Uni, Ballot };
enum class MatchMode : uint8_t { None, Any, All };
enum class PrmtMode : uint8_t { Default, F4e, B4e, Rc8, Ecl, Ecr, Rc16 };
enum class ShfMode : uint8_t { None, LeftWrap, LeftClamp, RightWrap, RightClamp };
enum class MemOrder : uint8_t { None, Weak, Relaxed, Acquire, Release, AcqRel, Sc, Volatile };
enum class MemScope : uint8_t { None, Cta, Cluster, Gpu, Sys };
enum class FragKind : uint8_t { None, A, B, C, D };
enum class TestpProperty : uint8_t { None, Finite, Infinite, Number, NotANumber, Normal, Subnormal };
enum class Layout : uint8_t { None, Row, Col };
// Sub-operation for opcodes whose second token selects the behaviour.
enum class SubOp : uint8_t {
  None,
  BarSync, BarArrive, BarRed,                       // bar / barrier
  MbarInit, MbarArrive, MbarArriveDrop, MbarTestWait, MbarTryWait, MbarInval,
  MbarPendingCount, MbarExpectTx, MbarCompleteTx,
  MbarArriveExpectTx,                               // mbarrier.arrive.expect_tx
  CvtaToSpace, CvtaToGeneric,                       // cvta.to.<space> / cvta.<space>
};

// Modifiers::variant values.
namespace Variant {
constexpr uint8_t None = 0, Inc = 1, Dec = 2, LaunchDependents = 3, Wait = 4, Arrive = 5;
}

struct Modifiers {
  std::array<DataType, 4> types{};  // in the order written: cvt.dst.src, mma .dtype.atype.btype.ctype
  uint8_t ntypes = 0;
  Rounding rnd = Rounding::None;
  CmpOp cmp = CmpOp::None;
  BoolOp boolop = BoolOp::None;     // setp/set combine with a third predicate
  MulMode mul = MulMode::None;
  AtomOp atom = AtomOp::None;
  ShflMode shfl = ShflMode::None;
  VoteMode vote = VoteMode::None;
  MatchMode match = MatchMode::None;
  PrmtMode prmt = PrmtMode::Default;
  ShfMode shf = ShfMode::None;
  MemOrder order = MemOrder::None;
  MemScope scope = MemScope::None;
  StateSpace space = StateSpace::None;   // ld/st/atom/cvta/...; cp.async: destination
  StateSpace space2 = StateSpace::None;  // cp.async: source space
  SubOp sub = SubOp::None;
  TestpProperty testp = TestpProperty::None;
  FragKind frag = FragKind::None;        // wmma.load/store: a, b, c, d
  Layout layout_a = Layout::None;        // wmma.load/store layout, or mma/wmma.mma alayout
  Layout layout_b = Layout::None;
  uint16_t shape_m = 0, shape_n = 0, shape_k = 0;  // 16 bits: wgmma goes up to n256
  uint8_t vec = 1;                       // .v2/.v4/.v8; ldmatrix .x1/.x2/.x4
  bool ftz = false, sat = false, approx = false, full = false, relu = false, nan = false;
  bool xorsign = false, abs = false, uni = false, aligned = false, sync = false;
  bool nc = false, shiftamt = false, noftz = false, trans = false, cc = false;
  bool cache_hint = false;  // an explicit L2::cache_hint operand follows (ignored)
  bool l2_only = false;     // ld/cp.async .cg or .cv, volatile or strong above .cta: L2 only, not L1 (timing)
  bool parity = false;      // mbarrier.test_wait/try_wait.parity
  bool satfinite = false;   // cvt .satfinite: overflow -> largest finite, NaN stays NaN
  bool pack = false;        // cvt.pack.sat
  bool noinc = false;       // cp.async.mbarrier.arrive.noinc
  bool no_complete = false; // mbarrier.arrive{_drop}.noComplete: must not complete the phase
  // sm_90 bulk copies: how completion is signalled (.mbarrier::complete_tx::bytes or
  // .bulk_group), .multicast::cluster, and cp.async.bulk.wait_group.read.
  bool bulk_mbarrier = false, bulk_group = false, multicast = false, wait_read = false;
  bool proxy_async = false;  // fence.proxy.async (as opposed to .alias / .tensormap)
  uint8_t tensor_dims = 0;   // cp.async.bulk.tensor .1d .. .5d
  bool im2col = false;       // cp.async.bulk.tensor .im2col (vs .tile)
  // The one selector of setmaxnreg (.inc / .dec), griddepcontrol (.launch_dependents / .wait)
  // and barrier.cluster (.arrive / .wait); see Variant.
  uint8_t variant = 0;
  // tex/tld4/suld/sust/txq/suq (isa/exec_texture.h): the geometry (.1d .. .a2dms, TexGeom) and
  // the one selector of each: tex .level/.grad, tld4's component, suld/sust's out-of-range
  // mode, txq/suq's query.
  uint8_t tex_geom = 0, tex_sel = 0;
};

enum class OperandKind : uint8_t {
  None,
  Reg,       // a register (incl. predicates); `reg2` may hold a second dst: setp/shfl "%a|%b"
  Imm,       // an immediate; `imm` holds the bit pattern as a register of the operand's type would
  Special,   // a special register (%tid.x ...), `reg` = SpecialReg
  Address,   // [base + sym + offset]; base = reg (or kNoReg), sym (or kNoSymbol), offset = imm
  Symbol,    // a symbol used as a value (mov %r, smem_var): its address in its own space (+imm)
  Vector,    // {a, b, ...}: elements at Instruction::elems[first .. first+count)
  Label,     // a branch target: `reg` = target PC
  Function,  // a call target, or a function's address as a value: `reg` = function index
  Sink,      // "_"
};

constexpr uint32_t kNoReg = std::numeric_limits<uint32_t>::max();

// Function pointers: a function's address (what `mov.u64 %rd, f;` and a `.global .u64 t[] =
// {f, ...}` initializer produce, and what an indirect `call` jumps through) is this base plus
// 16 bytes per function index. The range is no memory space, so dereferencing it faults.
constexpr uint64_t kFunctionAddressBase = 0x0000'7c00'0000'0000ull;
inline uint64_t function_address(uint32_t index) { return kFunctionAddressBase + uint64_t(index) * 16; }
// The function index an address names, or -1 when it names none of `count` functions.
inline int64_t function_at_address(uint64_t addr, size_t count) {
  if (addr < kFunctionAddressBase || (addr - kFunctionAddressBase) % 16) return -1;
  const uint64_t i = (addr - kFunctionAddressBase) / 16;
  return i < count ? int64_t(i) : -1;
}
constexpr uint32_t kNoSymbol = std::numeric_limits<uint32_t>::max();

enum class SpecialReg : uint32_t {
  TidX, TidY, TidZ, NtidX, NtidY, NtidZ,
  CtaidX, CtaidY, CtaidZ, NctaidX, NctaidY, NctaidZ,
  Laneid, Warpid, Nwarpid, Smid, Nsmid, Gridid,
  Clock, Clock64, Globaltimer, LanemaskEq, LanemaskLt, LanemaskLe, LanemaskGt, LanemaskGe,
  DynamicSmemSize, TotalSmemSize,
  GlobaltimerLo, GlobaltimerHi, AggrSmemSize,
  ReservedSmemOffsetBegin, ReservedSmemOffsetEnd, ReservedSmemOffsetCap, ReservedSmemOffset0, ReservedSmemOffset1,
  // sm_90 clusters; the simulator launches clusters of one CTA.
  ClusteridX, ClusteridY, ClusteridZ, NclusteridX, NclusteridY, NclusteridZ,
  ClusterCtaidX, ClusterCtaidY, ClusterCtaidZ, ClusterNctaidX, ClusterNctaidY, ClusterNctaidZ,
  ClusterCtarank, ClusterNctarank, IsExplicitCluster,
  ClockHi,           // the upper half of %clock64
  CurrentGraphExec,  // the executing graph's handle (sm_50+); 0: not launched from a graph
  Pm0,               // %pm0 .. %pm7, then %pm0_64 .. %pm7_64: profiler counters, 0 (none set up)
  Pm0_64 = Pm0 + 8,
  Envreg0 = Pm0_64 + 8,  // %envreg0 .. %envreg31 follow
  Count = Envreg0 + 32
};
const char* special_reg_name(SpecialReg r);

struct Operand {
  OperandKind kind = OperandKind::None;
  bool negate = false;        // "!%p" as a source predicate
  // Reg operands, filled once after parsing (annotate_register_operands) so that the executor
  // does not look up the register's declared type per lane: whether it is a predicate, and the
  // bits it keeps as a shift (register_value_mask(type) == ~0ull >> value_shift).
  bool pred = false;
  uint8_t value_shift = 0;
  uint32_t reg = kNoReg;      // register index, SpecialReg, label PC or function index
  uint32_t reg2 = kNoReg;     // second destination ("%r|%p")
  uint32_t sym = kNoSymbol;   // Address / Symbol operands
  uint16_t first = 0, count = 0;  // Vector operands
  // Reg operands and an Address operand's base register: where the register's lanes lie in its
  // frame's register file (isa/register_file.h), filled with `pred` and `value_shift` (for an
  // Address, the base register's width).
  uint32_t slot = 0;
  uint64_t imm = 0;           // Imm bits; Address / Symbol byte offset (two's complement)
};
static_assert(sizeof(Operand) == 32, "the register slot fits in Operand's padding");

// A register declared in a function (".reg .f32 %f<40>" declares 40 of them).
struct RegInfo {
  std::string name;
  DataType type = DataType::None;
  uint32_t slot = 0;  // its lanes in the frame's register file (isa/register_file.h; set at load)
};

// A variable in some state space: module-level .global/.const/.shared, a function's .local /
// .shared, a kernel or function parameter, or a call-site .param inside a "{ }" scope.
struct Symbol {
  std::string name;
  StateSpace space = StateSpace::None;
  DataType elem = DataType::B8;
  uint64_t size = 0;           // bytes (0 for ".extern .shared x[]": dynamic shared memory)
  uint32_t align = 1;
  bool is_extern = false;      // dynamic shared memory
  int32_t owner = -1;          // function index, -1 for module scope
  uint64_t offset = 0;         // layout: within its space (kernel param buffer, CTA static shared,
                               // function local frame, function param frame, module global/const)
  std::vector<uint8_t> init;   // initializer bytes (empty = zero)
  uint32_t decl_line = 0;
  bool kernel_param = false;   // an .entry parameter: lives in the launch's parameter buffer;
                               // every other Param symbol lives in its owner's per-thread frame
  // A module-scope __managed__ variable (.attribute(.managed)). The loader may place it outside
  // the module's .global block, at `placed_address` (0: not placed, at its `offset` there): host
  // memory the device maps, so the host and kernels share one copy at one address, as CUDA's
  // unified memory gives (a kernel argument `&var`, cudaMemset on it, host reads without copies).
  bool managed = false;
  uint64_t placed_address = 0;
  // Addresses of other variables in the initializer (`= generic(tbl)+8`, a string table's
  // `{generic($str), ...}`, a packed struct's `0xFF00(generic(v)+4)` bytes): `init` holds zeros
  // there until the loader knows where the variables lie (isa/init_addresses.h).
  struct InitAddress {
    uint64_t at = 0;             // byte offset in `init`
    uint8_t bytes = 8;           // the element's width
    uint32_t target = 0;         // the variable (module symbol index)
    int64_t addend = 0;
    bool generic = false;        // generic(var): the generic address, else the one in var's space
    uint64_t mask = ~0ull;       // 0xFF00(...): the bits kept, shifted down to bit 0
  };
  std::vector<InitAddress> init_addresses;
};

struct Instruction {
  Opcode op = Opcode::Count;
  Unit unit = Unit::Int;       // refined by type at decode
  Modifiers mod;
  uint32_t guard = kNoReg;     // guard predicate register, kNoReg = unguarded
  bool guard_negated = false;
  uint8_t nops = 0;
  // A float add/sub that ptxas contracts with the mul producing one of its sources into one FMA
  // (isa/fma_contraction.h): which source (1 or 2) is the product, 0 when none; the mul's two
  // sources are then copied into ops[3] and ops[4].
  uint8_t fused_product = 0;
  // A mul every reader of which is such a contracted add/sub: ptxas emits no instruction for it.
  // It still executes (its register is read by nothing), but the timing model runs it together
  // with the instruction before it instead of issuing it (sim/subcore.cpp).
  bool product_fused = false;
  std::array<Operand, 8> ops{};   // 8: wgmma.mma_async takes up to eight
  std::vector<Operand> elems;  // elements of Vector operands and call argument lists
  uint32_t reconverge_pc = 0;  // bra: immediate post-dominator PC (function end = exit)
  uint32_t line = 0, column = 0;
  std::string text;            // the source line, for error messages and tracing
  // The CUDA source position from the last `.loc` before it (nvcc -lineinfo / -G): the `.file`
  // number (Module::source_files) and line; -1 / 0 when the PTX carries no line information.
  int source_file = -1;
  uint32_t source_line = 0;
  // Code inlined from another function (CUDA's headers: atomicAdd, wmma, cp.async pipelines):
  // the call site the `.loc ... inlined_at F L C` names, in the user's code when nvcc inlined it
  // there directly; -1 / 0 when not inlined.
  int inlined_at_file = -1;
  uint32_t inlined_at_line = 0;
  // Where a chain of inlined calls starts (a header calling a header: the kernel's own line), and
  // how many calls deep the code is (1: inlined straight into the outermost function).
  int inline_outer_file = -1;
  uint32_t inline_outer_line = 0;
  uint32_t inline_depth = 0;

  const Operand& op_at(unsigned i) const { return ops[i]; }
};

struct Function {
  std::string name;
  bool is_entry = false;
  bool has_body = false;              // false: only declared (a prototype or an .extern .func)
  std::vector<uint32_t> params;       // symbol ids, in declaration order
  std::vector<uint32_t> returns;      // .func return parameters (symbol ids)
  std::vector<RegInfo> regs;
  uint32_t register_bytes = 0;        // a frame's register file (isa/register_file.h; set at load)
  std::vector<Instruction> code;      // PC = index; code.size() is the virtual exit
  std::map<std::string, uint32_t> labels;
  uint64_t param_bytes = 0;           // entries: kernel parameter buffer size
  uint64_t frame_param_bytes = 0;     // per-thread .param frame: .func params/returns and the
                                      // call-site .param variables declared in "{ }" scopes
  uint64_t local_bytes = 0;           // this function's .local frame
  uint64_t static_shared_bytes = 0;   // entries: all static .shared reachable (incl. callees)
  bool names_dynamic_shared = false;  // entries: it or a callee names an extern .shared array
  uint32_t decl_line = 0;
  // Entries: the cluster shape the kernel requires (.reqnctapercluster; 0 = none given) and
  // whether it must be launched with clusters (.explicitcluster).
  std::array<uint32_t, 3> required_cluster{0, 0, 0};
  bool explicit_cluster = false;
  // Reads a %reserved_smem_offset_* register: the code uses the shared memory the driver reserves
  // per CTA on sm_80+ (cooperative groups' tiles larger than a warp keep their scratch there).
  bool reads_reserved_shared = false;
  // It or a function it calls directly executes a CTA barrier (bar/barrier .sync or .red):
  // lanes split off under independent thread scheduling wait in front of a call to it for the
  // rest of the warp (isa/spin_yield.h), as in front of the barrier itself.
  bool reaches_cta_barrier = false;
  // Entries: the most threads a CTA may have (.maxntid, i.e. __launch_bounds__, or .reqntid: the
  // product of the dimensions given); 0 = not restricted. A larger block never launches.
  uint32_t max_threads_per_block = 0;
  // .reqntid x{, y{, z}}: the block a launch must have exactly (PTX: a launch with other dimensions
  // fails); all 0 = not required.
  uint32_t required_block[3] = {0, 0, 0};
  // Filled from ptxas -v at build time where available (0 = unknown).
  uint32_t ptxas_registers = 0;
  uint32_t ptxas_stack_bytes = 0;
};

struct Module {
  std::string source_name;            // file name for error messages
  std::string version, target;
  unsigned address_size = 64;
  std::vector<Function> functions;
  std::vector<Symbol> symbols;
  uint64_t global_bytes = 0;          // module-scope .global variables
  uint64_t const_bytes = 0;           // module-scope .const variables
  std::map<int, std::string> source_files;  // `.file N "path"`: N -> path (line info)

  const Function* find_function(const std::string& name) const;
  int function_index(const std::string& name) const;  // -1 when absent
};

}  // namespace gpusim::isa
