// Data-driven modifier decoding. A lexicon maps each modifier spelling to one or more
// (class, value) meanings; a per-opcode rule lists the classes the opcode accepts, so that e.g.
// ".and" becomes a BoolOp for setp but an AtomOp for atom, and ".lo" a MulMode for mul but a
// CmpOp for setp. A few per-family checks then reject combinations the PTX ISA forbids.
#include "isa/ptx_modifiers.h"

#include <array>
#include <cctype>
#include <unordered_map>

#include "isa/mma_sparse.h"

namespace gpusim::isa {

namespace {

enum Cls : uint8_t {
  kType, kRnd, kCmp, kBool, kMul, kAtom, kShfl, kVote, kMatch, kPrmt, kShfDir, kShfMode, kOrder,
  kScope, kSpace, kBarSub, kMbarSub, kCvtaTo, kFrag, kLayout, kShape, kVecV, kVecX, kCacheOp,
  kHint, kFtz, kSat, kApprox, kFull, kRelu, kNan, kXorsign, kAbs, kUni, kAligned, kSync, kNc,
  kShiftamt, kNoftz, kTrans, kCc, kParity, kTestp, kSatfinite, kPack, kNoinc, kNoComplete, kCompletion, kMulticast,
  kRead, kProxy, kDim, kLoadMode, kVariant, kGeom, kTexMip, kSurfB, kSurfClamp, kTexComp, kTexQuery,
  kClassCount
};
static_assert(kClassCount <= 64);

constexpr uint64_t bit(Cls c) { return uint64_t(1) << c; }

struct Meaning {
  Cls cls;
  uint8_t value;
};

using Lexicon = std::unordered_map<std::string_view, std::vector<Meaning>>;

// tex/tld4/suld/sust/txq/suq spellings (values: isa/exec_texture.h).
template <typename Add>
void add_texture_modifiers(Add add) {
  const char* geoms[] = {".1d", ".2d", ".3d", ".a1d", ".a2d", ".cube", ".acube", ".2dms", ".a2dms"};
  for (uint8_t i = 0; i < 9; ++i) add(geoms[i], kGeom, uint8_t(i + 1));
  add(".base", kTexMip, 0);
  add(".level", kTexMip, 1);
  add(".grad", kTexMip, 2);
  add(".b", kSurfB, 0);
  add(".p", kSurfB, 1);
  add(".trap", kSurfClamp, 0);
  add(".clamp", kSurfClamp, 1);
  add(".zero", kSurfClamp, 2);
  const char* comps[] = {".r", ".g", ".b", ".a"};
  for (uint8_t i = 0; i < 4; ++i) add(comps[i], kTexComp, i);
  const char* queries[] = {".width", ".height", ".depth", ".channel_data_type", ".channel_order",
                           ".normalized_coords", ".filter_mode", ".addr_mode_0", ".addr_mode_1", ".addr_mode_2",
                           ".array_size", ".num_mipmap_levels", ".num_samples", ".force_unnormalized_coords"};
  for (uint8_t i = 0; i < 14; ++i) add(queries[i], kTexQuery, i);
}

Lexicon build_lexicon() {
  Lexicon lx;
  auto add = [&](std::string_view text, Cls c, uint8_t v = 0) { lx[text].push_back({c, v}); };
  const std::pair<std::string_view, DataType> types[] = {
      {".pred", DataType::Pred}, {".b8", DataType::B8}, {".b16", DataType::B16},
      {".b32", DataType::B32}, {".b64", DataType::B64}, {".b128", DataType::B128},
      {".u8", DataType::U8}, {".u16", DataType::U16}, {".u32", DataType::U32},
      {".u64", DataType::U64}, {".s8", DataType::S8}, {".s16", DataType::S16},
      {".s32", DataType::S32}, {".s64", DataType::S64}, {".f16", DataType::F16},
      {".f16x2", DataType::F16x2}, {".bf16", DataType::BF16}, {".bf16x2", DataType::BF16x2}, {".s16x2", DataType::S16x2}, {".u16x2", DataType::U16x2},
      {".tf32", DataType::TF32}, {".f32", DataType::F32}, {".f64", DataType::F64},
      {".e4m3x2", DataType::E4M3x2}, {".e5m2x2", DataType::E5M2x2}, {".u2", DataType::U2},
      {".s2", DataType::S2}, {".u4", DataType::U4}, {".s4", DataType::S4}};
  for (auto& [t, v] : types) add(t, kType, uint8_t(v));
  // Single FP8 elements, as wgmma's A/B types; the DataType is the pair's (cvt's .e4m3x2), and
  // decode_modifiers allows the spelling on wgmma only.
  add(".e4m3", kType, uint8_t(DataType::E4M3x2));
  add(".e5m2", kType, uint8_t(DataType::E5M2x2));
  add(".b1", kType, uint8_t(DataType::B1));  // wgmma .s32.b1.b1 only (checked below)
  const char* rnd[] = {".rn", ".rz", ".rm", ".rp", ".rna", ".rni", ".rzi", ".rmi", ".rpi"};
  for (int i = 0; i < 9; ++i) add(rnd[i], kRnd, uint8_t(int(Rounding::Rn) + i));
  const char* cmp[] = {".eq", ".ne", ".lt", ".le", ".gt", ".ge", ".lo", ".ls", ".hi", ".hs",
                       ".equ", ".neu", ".ltu", ".leu", ".gtu", ".geu", ".num", ".nan"};
  for (int i = 0; i < 18; ++i) add(cmp[i], kCmp, uint8_t(int(CmpOp::Eq) + i));
  add(".and", kBool, uint8_t(BoolOp::And));
  add(".or", kBool, uint8_t(BoolOp::Or));
  add(".xor", kBool, uint8_t(BoolOp::Xor));
  add(".lo", kMul, uint8_t(MulMode::Lo));
  add(".hi", kMul, uint8_t(MulMode::Hi));
  add(".wide", kMul, uint8_t(MulMode::Wide));
  const char* atom[] = {".add", ".min", ".max", ".exch", ".cas", ".and", ".or", ".xor", ".inc", ".dec", ".popc"};
  for (int i = 0; i < 11; ++i) add(atom[i], kAtom, uint8_t(int(AtomOp::Add) + i));
  const char* shfl[] = {".up", ".down", ".bfly", ".idx"};
  for (int i = 0; i < 4; ++i) add(shfl[i], kShfl, uint8_t(int(ShflMode::Up) + i));
  const char* vote[] = {".all", ".any", ".uni", ".ballot"};
  for (int i = 0; i < 4; ++i) add(vote[i], kVote, uint8_t(int(VoteMode::All) + i));
  add(".any", kMatch, uint8_t(MatchMode::Any));
  add(".all", kMatch, uint8_t(MatchMode::All));
  const char* prmt[] = {".f4e", ".b4e", ".rc8", ".ecl", ".ecr", ".rc16"};
  for (int i = 0; i < 6; ++i) add(prmt[i], kPrmt, uint8_t(int(PrmtMode::F4e) + i));
  add(".l", kShfDir, 0);
  add(".r", kShfDir, 1);
  add(".wrap", kShfMode, 0);
  add(".clamp", kShfMode, 1);
  const char* order[] = {".weak", ".relaxed", ".acquire", ".release", ".acq_rel", ".sc", ".volatile"};
  for (int i = 0; i < 7; ++i) add(order[i], kOrder, uint8_t(int(MemOrder::Weak) + i));
  add(".cta", kScope, uint8_t(MemScope::Cta));
  add(".cluster", kScope, uint8_t(MemScope::Cluster));
  add(".gpu", kScope, uint8_t(MemScope::Gpu));
  add(".gl", kScope, uint8_t(MemScope::Gpu));  // membar.gl
  add(".sys", kScope, uint8_t(MemScope::Sys));
  const std::pair<std::string_view, StateSpace> spaces[] = {
      {".global", StateSpace::Global}, {".shared", StateSpace::Shared},
      {".shared::cta", StateSpace::Shared}, {".shared::cluster", StateSpace::Shared},
      {".local", StateSpace::Local}, {".param", StateSpace::Param},
      {".param::entry", StateSpace::Param}, {".param::func", StateSpace::Param},
      {".const", StateSpace::Const}};
  for (auto& [t, v] : spaces) add(t, kSpace, uint8_t(v));
  add(".sync", kBarSub, uint8_t(SubOp::BarSync));
  add(".arrive", kBarSub, uint8_t(SubOp::BarArrive));
  add(".red", kBarSub, uint8_t(SubOp::BarRed));
  const std::pair<std::string_view, SubOp> mbar[] = {
      {".init", SubOp::MbarInit}, {".arrive", SubOp::MbarArrive},
      {".arrive_drop", SubOp::MbarArriveDrop}, {".test_wait", SubOp::MbarTestWait},
      {".try_wait", SubOp::MbarTryWait}, {".inval", SubOp::MbarInval},
      {".pending_count", SubOp::MbarPendingCount}, {".expect_tx", SubOp::MbarExpectTx},
      {".complete_tx", SubOp::MbarCompleteTx}};  // ".arrive" + ".expect_tx": see decode_modifiers
  for (auto& [t, v] : mbar) add(t, kMbarSub, uint8_t(v));
  add(".parity", kParity, 1);
  const std::pair<std::string_view, TestpProperty> testp[] = {
      {".finite", TestpProperty::Finite}, {".infinite", TestpProperty::Infinite},
      {".number", TestpProperty::Number}, {".notanumber", TestpProperty::NotANumber},
      {".normal", TestpProperty::Normal}, {".subnormal", TestpProperty::Subnormal}};
  for (auto& [t, v] : testp) add(t, kTestp, uint8_t(v));
  add(".to", kCvtaTo, 0);
  add(".a", kFrag, uint8_t(FragKind::A));
  add(".b", kFrag, uint8_t(FragKind::B));
  add(".c", kFrag, uint8_t(FragKind::C));
  add(".d", kFrag, uint8_t(FragKind::D));
  add(".row", kLayout, uint8_t(Layout::Row));
  add(".col", kLayout, uint8_t(Layout::Col));
  add(".v2", kVecV, 2);
  add(".v4", kVecV, 4);
  add(".v8", kVecV, 8);
  add(".x1", kVecX, 1);
  add(".x2", kVecX, 2);
  add(".x4", kVecX, 4);
  // Cache operators: only cp.async's .cg changes behaviour (bypass L1); the rest are hints.
  // .cg (cache global: L2 only) and .cv (fetch again: not kept in L1) bypass the L1.
  for (std::string_view c : {".ca", ".cg", ".cs", ".lu", ".cv", ".wb", ".wt"}) add(c, kCacheOp, c == ".cg" || c == ".cv");
  const std::pair<std::string_view, Cls> flags[] = {
      {".ftz", kFtz}, {".sat", kSat}, {".approx", kApprox}, {".full", kFull}, {".relu", kRelu},
      {".NaN", kNan}, {".xorsign", kXorsign}, {".abs", kAbs}, {".uni", kUni},
      {".aligned", kAligned}, {".sync", kSync}, {".nc", kNc}, {".shiftamt", kShiftamt},
      {".noftz", kNoftz}, {".trans", kTrans}, {".cc", kCc}, {".satfinite", kSatfinite}, {".pack", kPack},
      {".noinc", kNoinc}, {".noComplete", kNoComplete}};
  for (auto& [t, c] : flags) add(t, c);
  // sm_90 bulk copies and proxy fences.
  add(".mbarrier::complete_tx::bytes", kCompletion, 1);
  add(".bulk_group", kCompletion, 2);
  add(".multicast::cluster", kMulticast);
  add(".read", kRead);
  add(".async", kProxy, 1);
  add(".alias", kProxy, 0);
  add(".tensormap", kProxy, 0);
  add(".tensormap::generic", kProxy, 0);  // fence.proxy.tensormap::generic.{release,acquire}
  add(".mbarrier_init", kProxy, 0);  // fence.mbarrier_init.release.cluster
  for (uint8_t d = 1; d <= 5; ++d) lx[std::string_view(".1d.2d.3d.4d.5d").substr(3 * (d - 1), 3)].push_back({kDim, d});
  add(".tile", kLoadMode, 0);
  add(".im2col", kLoadMode, 1);
  add(".inc", kVariant, Variant::Inc);
  add(".dec", kVariant, Variant::Dec);
  add(".launch_dependents", kVariant, Variant::LaunchDependents);
  add(".wait", kVariant, Variant::Wait);
  add(".arrive", kVariant, Variant::Arrive);  // barrier.cluster.arrive (bar/mbarrier take it as their operation)
  // mma.sp{::ordered_metadata}: the sparse warp MMA (isa/mma_sparse.h).
  add(".sp", kVariant, tensor::MmaVariant::Sparse);
  add(".sp::ordered_metadata", kVariant, tensor::MmaVariant::SparseOrdered);
  add_texture_modifiers(add);
  return lx;
}

// Cache-eviction and prefetch-size hints (".L1::evict_last", ".L2::128B", ...) change no result.
bool is_cache_hint(std::string_view t) {
  return t == ".L1" || t == ".L2" || t.starts_with(".L1::") || t.starts_with(".L2::");
}

// ".m16n8k16" / ".m8n8" -> shape; false if `t` is not a shape.
bool parse_shape(std::string_view t, uint16_t& m, uint16_t& n, uint16_t& k) {
  unsigned vals[3] = {0, 0, 0};
  const char keys[3] = {'m', 'n', 'k'};
  size_t pos = 1;
  for (int i = 0; i < 3; ++i) {
    if (pos >= t.size()) return i == 2;
    if (t[pos] != keys[i]) return false;
    ++pos;
    size_t start = pos;
    while (pos < t.size() && std::isdigit(static_cast<unsigned char>(t[pos]))) vals[i] = vals[i] * 10 + unsigned(t[pos++] - '0');
    if (pos == start || vals[i] > 65535) return false;
    if (i == 0) m = uint16_t(vals[0]);
    if (i == 1) n = uint16_t(vals[1]);
    if (i == 2) k = uint16_t(vals[2]);
  }
  return pos == t.size();
}

// What an opcode accepts: its modifier classes, how many types, which classes it requires.
struct Rule {
  uint64_t allowed;
  uint8_t min_types, max_types;
  uint64_t required;
};

constexpr uint64_t kMemOrder = bit(kOrder) | bit(kScope);
constexpr uint64_t kMemHints = bit(kCacheOp) | bit(kHint);

Rule rule_for(Opcode op) {
  const uint64_t arith = bit(kRnd) | bit(kFtz) | bit(kSat);
  switch (op) {
    case Opcode::Add: case Opcode::Sub: return {arith | bit(kCc) | bit(kRelu), 1, 1, 0};
    case Opcode::Addc: case Opcode::Subc: return {bit(kCc), 1, 1, 0};
    case Opcode::Madc: return {bit(kCc) | bit(kMul), 1, 1, bit(kMul)};
    case Opcode::Mul: return {arith | bit(kMul), 1, 1, 0};
    case Opcode::Mad: return {arith | bit(kMul) | bit(kCc), 1, 1, 0};
    case Opcode::Mul24: case Opcode::Mad24: return {bit(kMul) | bit(kSat), 1, 1, bit(kMul)};
    case Opcode::Fma: return {arith | bit(kRelu) | bit(kNan), 1, 1, bit(kRnd)};
    case Opcode::Div: return {bit(kRnd) | bit(kFtz) | bit(kApprox) | bit(kFull), 1, 1, 0};
    case Opcode::Abs: case Opcode::Neg: return {bit(kFtz), 1, 1, 0};
    case Opcode::Min: case Opcode::Max:
      return {bit(kFtz) | bit(kNan) | bit(kXorsign) | bit(kAbs) | bit(kRelu), 1, 1, 0};
    case Opcode::Bfind: return {bit(kShiftamt), 1, 1, 0};
    case Opcode::Prmt: return {bit(kPrmt), 1, 1, 0};
    case Opcode::Dp4a: case Opcode::Dp2a: return {bit(kLayout) | bit(kMul), 2, 2, 0};
    case Opcode::Vadd2: case Opcode::Vadd4: case Opcode::Vsub2: case Opcode::Vsub4: case Opcode::Vavrg2:
    case Opcode::Vavrg4: case Opcode::Vabsdiff2: case Opcode::Vabsdiff4: case Opcode::Vmin2: case Opcode::Vmin4:
    case Opcode::Vmax2: case Opcode::Vmax4:
      return {bit(kSat) | bit(kAtom), 3, 3, 0};  // .dtype.atype.btype{.sat|.add}
    case Opcode::Shf: return {bit(kShfDir) | bit(kShfMode), 1, 1, bit(kShfDir) | bit(kShfMode)};
    case Opcode::Bmsk: case Opcode::Szext: return {bit(kShfMode), 1, 1, bit(kShfMode)};
    case Opcode::Rcp: case Opcode::Sqrt: case Opcode::Rsqrt: case Opcode::Ex2: case Opcode::Lg2:
    case Opcode::Sin: case Opcode::Cos: case Opcode::Tanh:
      return {bit(kRnd) | bit(kFtz) | bit(kApprox) | bit(kFull), 1, 1, 0};
    case Opcode::Setp: return {bit(kCmp) | bit(kBool) | bit(kFtz), 1, 1, bit(kCmp)};
    case Opcode::Set: return {bit(kCmp) | bit(kBool) | bit(kFtz), 2, 2, bit(kCmp)};
    case Opcode::Slct: return {bit(kFtz), 2, 2, 0};
    case Opcode::Cvt: return {bit(kRnd) | bit(kFtz) | bit(kSat) | bit(kRelu) | bit(kSatfinite) | bit(kPack), 2, 3, 0};
    case Opcode::Cvta: return {bit(kCvtaTo) | bit(kSpace), 1, 1, bit(kSpace)};
    case Opcode::Isspacep: return {bit(kSpace), 0, 0, bit(kSpace)};
    case Opcode::Ld:
      return {bit(kSpace) | bit(kVecV) | bit(kNc) | kMemOrder | kMemHints, 1, 1, 0};
    case Opcode::Ldu: return {bit(kSpace) | bit(kVecV) | kMemHints, 1, 1, 0};
    case Opcode::St: return {bit(kSpace) | bit(kVecV) | kMemOrder | kMemHints, 1, 1, 0};
    case Opcode::Prefetch:  // prefetch{.const,.param,.global}.tensormap [a] (sm_90) too
      return {bit(kSpace) | bit(kHint) | bit(kProxy), 0, 0, 0};
    case Opcode::Prefetchu: case Opcode::Discard: case Opcode::Applypriority:
      return {bit(kSpace) | bit(kHint), 0, 0, 0};
    case Opcode::CpAsyncBulkPrefetch: return {bit(kSpace) | kMemHints, 0, 0, bit(kSpace)};
    case Opcode::CpAsyncBulkPrefetchTensor:
      return {bit(kDim) | bit(kLoadMode) | bit(kSpace) | kMemHints, 0, 0, bit(kDim) | bit(kSpace)};
    case Opcode::CreatepolicyFractional: case Opcode::CreatepolicyRange: return {bit(kHint), 1, 1, 0};
    case Opcode::Atom: case Opcode::Red:
      return {bit(kSpace) | bit(kAtom) | bit(kNoftz) | bit(kVecV) | kMemOrder | kMemHints, 1, 1, bit(kAtom)};
    case Opcode::CpAsync: return {bit(kSpace) | kMemHints, 0, 0, bit(kSpace)};
    case Opcode::CpAsyncMbarrierArrive: return {bit(kSpace) | bit(kNoinc), 1, 1, 0};
    case Opcode::Mbarrier:
      return {bit(kMbarSub) | bit(kParity) | bit(kNoComplete) | bit(kSpace) | kMemOrder, 1, 1, bit(kMbarSub)};
    case Opcode::Testp: return {bit(kTestp), 1, 1, bit(kTestp)};
    case Opcode::CpAsyncBulk:
      return {bit(kSpace) | bit(kCompletion) | bit(kMulticast) | kMemHints, 0, 0, bit(kSpace) | bit(kCompletion)};
    case Opcode::CpAsyncBulkWaitGroup: return {bit(kRead), 0, 0, 0};
    case Opcode::CpAsyncBulkCommit: return {0, 0, 0, 0};
    case Opcode::CpAsyncBulkTensor:
      return {bit(kDim) | bit(kLoadMode) | bit(kSpace) | bit(kCompletion) | bit(kMulticast) | kMemHints, 0, 0,
              bit(kDim) | bit(kSpace) | bit(kCompletion)};
    case Opcode::Stmatrix:
      return {bit(kSync) | bit(kAligned) | bit(kShape) | bit(kVecX) | bit(kTrans) | bit(kSpace), 1, 1,
              bit(kShape) | bit(kVecX)};
    case Opcode::Movmatrix:  // movmatrix.sync.aligned.m8n8.trans.b16
      return {bit(kSync) | bit(kAligned) | bit(kShape) | bit(kTrans), 1, 1, bit(kShape) | bit(kTrans)};
    case Opcode::Setmaxnreg: return {bit(kVariant) | bit(kSync) | bit(kAligned), 1, 1, bit(kVariant)};
    case Opcode::Griddepcontrol: return {bit(kVariant), 0, 0, bit(kVariant)};
    case Opcode::BarrierCluster: return {bit(kVariant) | bit(kAligned) | bit(kOrder), 0, 0, bit(kVariant)};
    case Opcode::Mapa: return {bit(kSpace), 1, 1, 0};
    case Opcode::Getctarank: return {bit(kSpace), 1, 1, 0};
    case Opcode::StAsync:  // st.async{.weak}{.shared::cluster}.mbarrier::complete_tx::bytes{.v2,.v4}.type
      return {bit(kSpace) | bit(kVecV) | bit(kCompletion) | kMemOrder, 1, 1, bit(kCompletion)};
    case Opcode::RedAsync:  // red.async.relaxed.cluster{.shared::cluster}.mbarrier::complete_tx::bytes.op.type
      return {bit(kSpace) | bit(kAtom) | bit(kCompletion) | kMemOrder, 1, 1, bit(kAtom) | bit(kCompletion)};
    case Opcode::FenceProxy: case Opcode::MembarProxy:
      return {bit(kProxy) | bit(kSpace) | kMemOrder, 0, 0, bit(kProxy)};
    case Opcode::ElectSync: return {0, 0, 0, 0};
    case Opcode::WgmmaFence: case Opcode::WgmmaCommit: case Opcode::WgmmaWaitGroup:
      return {bit(kSync) | bit(kAligned), 0, 0, bit(kSync) | bit(kAligned)};
    case Opcode::WgmmaMmaAsync:
      // .and.popc: the .b1 form's operation (exec_wgmma.cpp checks which types take what).
      return {bit(kSync) | bit(kAligned) | bit(kShape) | bit(kSatfinite) | bit(kBool) | bit(kAtom), 3, 3,
              bit(kSync) | bit(kAligned) | bit(kShape)};
    case Opcode::Shfl: return {bit(kShfl) | bit(kSync), 1, 1, bit(kShfl)};
    case Opcode::Vote: return {bit(kVote) | bit(kSync), 1, 1, bit(kVote)};
    case Opcode::Redux: return {bit(kAtom) | bit(kSync), 1, 1, bit(kAtom)};
    case Opcode::Match: return {bit(kMatch) | bit(kSync), 1, 1, bit(kMatch)};
    case Opcode::Bar: case Opcode::Barrier:
      return {bit(kBarSub) | bit(kAligned) | bit(kAtom) | bit(kScope), 0, 1, bit(kBarSub)};
    case Opcode::Membar: return {bit(kScope), 0, 0, bit(kScope)};
    case Opcode::Fence: return {kMemOrder | bit(kProxy), 0, 0, 0};
    case Opcode::Bra: case Opcode::Brx: case Opcode::Call: case Opcode::Ret: return {bit(kUni), 0, 0, 0};
    case Opcode::Exit: case Opcode::Trap: case Opcode::CpAsyncCommit: case Opcode::CpAsyncWaitGroup:
    case Opcode::CpAsyncWaitAll: case Opcode::BarWarpSync:
      return {0, 0, 0, 0};
    case Opcode::WmmaLoad: case Opcode::WmmaStore:
      return {bit(kFrag) | bit(kSync) | bit(kAligned) | bit(kLayout) | bit(kShape) | bit(kSpace), 1, 1,
              bit(kFrag) | bit(kLayout) | bit(kShape)};
    case Opcode::WmmaMma:  // .rn/.rz/.rm/.rp: the f64 form; .satfinite: integer forms; .xor/.and.popc: b1
      return {bit(kSync) | bit(kAligned) | bit(kLayout) | bit(kShape) | bit(kSat) | bit(kSatfinite) | bit(kRnd) |
                  bit(kBool) | bit(kAtom),
              2, 4, bit(kShape)};
    case Opcode::Mma:  // as wmma.mma, plus .sp / .sp::ordered_metadata (a kVariant)
      return {bit(kSync) | bit(kAligned) | bit(kLayout) | bit(kShape) | bit(kSat) | bit(kSatfinite) | bit(kRnd) |
                  bit(kBool) | bit(kAtom) | bit(kVariant),
              2, 4, bit(kShape)};
    case Opcode::Ldmatrix:
      return {bit(kSync) | bit(kAligned) | bit(kShape) | bit(kVecX) | bit(kTrans) | bit(kSpace), 1, 1,
              bit(kShape) | bit(kVecX)};
    case Opcode::Tex: return {bit(kGeom) | bit(kTexMip) | bit(kVecV), 2, 2, bit(kGeom)};
    case Opcode::Tld4: return {bit(kTexComp) | bit(kGeom) | bit(kVecV), 2, 2, bit(kTexComp) | bit(kGeom)};
    case Opcode::Suld: case Opcode::Sust:
      return {bit(kSurfB) | bit(kGeom) | bit(kVecV) | bit(kSurfClamp) | kMemHints, 1, 1, bit(kSurfB) | bit(kGeom)};
    case Opcode::Txq: case Opcode::Suq: return {bit(kTexQuery) | bit(kTexMip), 1, 1, bit(kTexQuery)};
    case Opcode::Pmevent: return {0, 0, 0, 0};  // pmevent N: no type, no modifiers
    case Opcode::Nanosleep: case Opcode::Activemask: case Opcode::Copysign:
    default:
      return {0, 1, 1, 0};  // a type and nothing else
  }
}

const char* class_description(Cls c) {
  switch (c) {
    case kRnd: return "rounding modifier";
    case kCmp: return "comparison operator";
    case kMul: return ".lo/.hi/.wide";
    case kAtom: return "operation (.add, .min, ...)";
    case kShfl: return "shuffle mode";
    case kVote: return "vote mode";
    case kMatch: return "match mode";
    case kSpace: return "state space";
    case kBarSub: return ".sync/.arrive/.red";
    case kMbarSub: return "mbarrier operation";
    case kParity: return "phase parity (.parity)";
    case kTestp: return "testp property";
    case kFrag: return "fragment (.a/.b/.c/.d)";
    case kLayout: return "layout (.row/.col)";
    case kShape: return "shape (.mMnNkK)";
    case kVecX: return ".x1/.x2/.x4";
    case kShfDir: return "direction (.l/.r)";
    case kShfMode: return ".wrap/.clamp";
    case kScope: return "scope";
    case kCompletion: return "completion mechanism (.mbarrier::complete_tx::bytes or .bulk_group)";
    case kProxy: return "proxy kind (.async, .alias, .tensormap)";
    case kDim: return "tensor dimensionality (.1d .. .5d)";
    case kVariant: return "operation (.inc/.dec, .launch_dependents/.wait, .arrive/.wait)";
    case kGeom: return "texture geometry (.1d, .2d, .3d, .a1d, .a2d, ...)";
    case kSurfB: return ".b";
    case kTexComp: return "component (.r/.g/.b/.a)";
    case kTexQuery: return "query (.width, .height, ...)";
    default: return "modifier";
  }
}

}  // namespace

void validate_combination(Opcode op, const Modifiers& m, const std::vector<ModifierToken>& mods,
                          uint32_t opcode_column);

Modifiers decode_modifiers(Opcode op, const std::vector<ModifierToken>& mods, uint32_t opcode_column) {
  static const Lexicon& lexicon = *new Lexicon(build_lexicon());  // never destroyed: modules may load at exit
  const Rule rule = rule_for(op);
  Modifiers m;
  uint64_t seen = 0;
  unsigned layouts = 0, spaces = 0;
  uint8_t shf_dir = 0, shf_mode = 0;
  for (const ModifierToken& t : mods) {
    auto fail = [&](const std::string& msg) { throw ModifierError{t.column, msg}; };
    const Meaning* meaning = nullptr;
    Meaning synthetic{kHint, 0};
    if (is_cache_hint(t.text)) {
      meaning = &synthetic;
      if (t.text == ".L2::cache_hint") m.cache_hint = true;
    } else if (uint16_t sm = 0, sn = 0, sk = 0; parse_shape(t.text, sm, sn, sk)) {
      synthetic = {kShape, 0};
      meaning = &synthetic;
      m.shape_m = sm, m.shape_n = sn, m.shape_k = sk;
    } else {
      auto it = lexicon.find(t.text);
      if (it == lexicon.end()) fail("unknown modifier '" + std::string(t.text) + "'");
      for (const Meaning& candidate : it->second)
        if (rule.allowed & bit(candidate.cls) || (candidate.cls == kType && rule.max_types > 0)) {
          meaning = &candidate;
          break;
        }
      if (!meaning)
        fail("modifier '" + std::string(t.text) + "' is not valid for " + opcode_name(op));
    }
    if (t.text == ".b1" && op != Opcode::WgmmaMmaAsync && op != Opcode::Mma && op != Opcode::WmmaMma &&
        op != Opcode::WmmaLoad)
      fail("'.b1' is a TensorCore operand type only (wgmma, mma, wmma)");
    if ((t.text == ".e4m3" || t.text == ".e5m2") && op != Opcode::WgmmaMmaAsync && op != Opcode::Mma)
      fail("'" + std::string(t.text) + "' is a wgmma/mma operand type; " + opcode_name(op) + " takes ." +
           std::string(t.text.substr(1)) + "x2");
    const Cls c = meaning->cls;
    const uint8_t v = meaning->value;
    bool repeatable = c == kType || c == kHint || (c == kLayout && (op == Opcode::Mma || op == Opcode::WmmaMma)) ||
                      (c == kSpace && (op == Opcode::CpAsync || op == Opcode::CpAsyncBulk || op == Opcode::CpAsyncBulkTensor));
    // mbarrier.arrive.expect_tx: the one pair of mbarrier operations that combine.
    if (c == kMbarSub && op == Opcode::Mbarrier && (seen & bit(c))) {
      const bool pair = (m.sub == SubOp::MbarArrive && SubOp(v) == SubOp::MbarExpectTx);
      if (!pair) fail("more than one mbarrier operation ('" + std::string(t.text) + "')");
      m.sub = SubOp::MbarArriveExpectTx;
      continue;
    }
    if (c != kType && (seen & bit(c)) && !repeatable)
      fail(std::string("more than one ") + class_description(c) + " ('" + std::string(t.text) + "')");
    seen |= bit(c);
    switch (c) {
      case kType:
        if (m.ntypes >= rule.max_types) fail("too many types for " + std::string(opcode_name(op)) + " ('" + std::string(t.text) + "')");
        m.types[m.ntypes++] = DataType(v);
        break;
      case kRnd: m.rnd = Rounding(v); break;
      case kCmp: m.cmp = CmpOp(v); break;
      case kBool: m.boolop = BoolOp(v); break;
      case kMul: m.mul = MulMode(v); break;
      case kAtom: m.atom = AtomOp(v); break;
      case kShfl: m.shfl = ShflMode(v); break;
      case kVote: m.vote = VoteMode(v); break;
      case kMatch: m.match = MatchMode(v); break;
      case kPrmt: m.prmt = PrmtMode(v); break;
      case kShfDir: shf_dir = v; break;
      case kShfMode: shf_mode = v; break;
      case kOrder: m.order = MemOrder(v); break;
      case kScope: m.scope = MemScope(v); break;
      case kSpace:
        if (spaces >= 2) fail("too many state spaces ('" + std::string(t.text) + "')");
        (spaces++ == 0 ? m.space : m.space2) = StateSpace(v);
        break;
      case kBarSub: case kMbarSub: m.sub = SubOp(v); break;
      case kCvtaTo: m.sub = SubOp::CvtaToSpace; break;
      case kFrag: m.frag = FragKind(v); break;
      case kLayout:
        if (layouts >= 2) fail("too many layouts ('" + std::string(t.text) + "')");
        (layouts++ == 0 ? m.layout_a : m.layout_b) = Layout(v);
        break;
      case kVecV: case kVecX: m.vec = v; break;
      case kCacheOp: if (op == Opcode::CpAsync || op == Opcode::Ld || op == Opcode::Ldu) m.l2_only = v != 0; break;
      case kFtz: m.ftz = true; break;
      case kSat: m.sat = true; break;
      case kApprox: m.approx = true; break;
      case kFull: m.full = true; break;
      case kRelu: m.relu = true; break;
      case kNan: m.nan = true; break;
      case kXorsign: m.xorsign = true; break;
      case kAbs: m.abs = true; break;
      case kUni: m.uni = true; break;
      case kAligned: m.aligned = true; break;
      case kSync: m.sync = true; break;
      case kNc: m.nc = true; break;
      case kShiftamt: m.shiftamt = true; break;
      case kNoftz: m.noftz = true; break;
      case kTrans: m.trans = true; break;
      case kParity: m.parity = true; break;
      case kTestp: m.testp = TestpProperty(v); break;
      case kCc: m.cc = true; break;
      case kSatfinite: m.satfinite = true; break;
      case kPack: m.pack = true; break;
      case kNoinc: m.noinc = true; break;
      case kNoComplete: m.no_complete = true; break;
      case kCompletion: (v == 1 ? m.bulk_mbarrier : m.bulk_group) = true; break;
      case kMulticast: m.multicast = true; break;
      case kRead: m.wait_read = true; break;
      case kProxy: m.proxy_async = v != 0; break;
      case kDim: m.tensor_dims = v; break;
      case kLoadMode: m.im2col = v != 0; break;
      case kVariant: m.variant = v; break;
      case kGeom: m.tex_geom = v; break;
      case kSurfB: if (v) fail("formatted surface access (.p) is not supported; use .b"); break;
      case kTexMip: case kSurfClamp: case kTexComp: case kTexQuery: m.tex_sel = v; break;
      case kShape: case kHint: case kClassCount: break;
    }
  }
  if (op == Opcode::Shf && (seen & bit(kShfDir)))
    m.shf = ShfMode(int(ShfMode::LeftWrap) + shf_dir * 2 + shf_mode);
  // bmsk and szext have no direction; their .wrap/.clamp is kept in the same field (LeftWrap /
  // LeftClamp).
  if (op == Opcode::Bmsk || op == Opcode::Szext) m.shf = ShfMode(int(ShfMode::LeftWrap) + shf_mode);
  if (op == Opcode::Cvta && m.sub == SubOp::None) m.sub = SubOp::CvtaToGeneric;
  const uint64_t missing = rule.required & ~seen;
  for (int c = 0; c < kClassCount; ++c)
    if (missing & (uint64_t(1) << c))
      throw ModifierError{opcode_column, std::string(opcode_name(op)) + " requires a " + class_description(Cls(c))};
  if (m.ntypes < rule.min_types)
    throw ModifierError{opcode_column, std::string(opcode_name(op)) + " requires " +
                                           std::to_string(rule.min_types) + " type modifier(s)"};
  // A volatile load, or a relaxed/acquire one at a scope wider than the CTA, must see what other
  // SMs store: their L1s are not coherent, so the L2 serves it, as .cg (the timing model). A
  // flag spun on with `volatile` hit in the L1 (an outside user's domino scan: 89 % L1 hits).
  // Only global accesses consult the flag (one that reaches local memory stays cached:
  // SmMemoryPipeline's build_lg_op).
  if (op == Opcode::Ld && (m.order == MemOrder::Volatile ||
                           ((m.order == MemOrder::Relaxed || m.order == MemOrder::Acquire) && m.scope != MemScope::Cta)))
    m.l2_only = true;
  validate_combination(op, m, mods, opcode_column);
  return m;
}

}  // namespace gpusim::isa
