// Name tables and small queries over the IR enums, plus Module look-ups.
#include "isa/ir.h"

namespace gpusim::isa {

namespace {

struct OpcodeInfo {
  const char* name;
  Unit unit;
};

// Generated from the single opcode table, indexed by the Opcode enum value.
constexpr OpcodeInfo kOpcodeInfo[] = {
#define X(E, N, U) {N, Unit::U},
#include "isa/opcodes.def"
#undef X
};
static_assert(sizeof(kOpcodeInfo) / sizeof(kOpcodeInfo[0]) == size_t(Opcode::Count));

constexpr const char* kSpecialRegNames[] = {
    "%tid.x",        "%tid.y",        "%tid.z",        "%ntid.x",        "%ntid.y",
    "%ntid.z",       "%ctaid.x",      "%ctaid.y",      "%ctaid.z",       "%nctaid.x",
    "%nctaid.y",     "%nctaid.z",     "%laneid",       "%warpid",        "%nwarpid",
    "%smid",         "%nsmid",        "%gridid",       "%clock",         "%clock64",
    "%globaltimer",  "%lanemask_eq",  "%lanemask_lt",  "%lanemask_le",   "%lanemask_gt",
    "%lanemask_ge",  "%dynamic_smem_size",             "%total_smem_size",
    "%globaltimer_lo", "%globaltimer_hi", "%aggr_smem_size",
    "%reserved_smem_offset_begin", "%reserved_smem_offset_end", "%reserved_smem_offset_cap",
    "%reserved_smem_offset_0", "%reserved_smem_offset_1",
    "%clusterid.x", "%clusterid.y", "%clusterid.z", "%nclusterid.x", "%nclusterid.y", "%nclusterid.z",
    "%cluster_ctaid.x", "%cluster_ctaid.y", "%cluster_ctaid.z",
    "%cluster_nctaid.x", "%cluster_nctaid.y", "%cluster_nctaid.z",
    "%cluster_ctarank", "%cluster_nctarank", "%is_explicit_cluster",
    "%clock_hi", "%current_graph_exec",
    "%pm0", "%pm1", "%pm2", "%pm3", "%pm4", "%pm5", "%pm6", "%pm7",
    "%pm0_64", "%pm1_64", "%pm2_64", "%pm3_64", "%pm4_64", "%pm5_64", "%pm6_64", "%pm7_64",
    "%envreg0", "%envreg1", "%envreg2", "%envreg3", "%envreg4", "%envreg5", "%envreg6", "%envreg7", "%envreg8", "%envreg9", "%envreg10", "%envreg11", "%envreg12", "%envreg13", "%envreg14", "%envreg15", "%envreg16", "%envreg17", "%envreg18", "%envreg19", "%envreg20", "%envreg21", "%envreg22", "%envreg23", "%envreg24", "%envreg25", "%envreg26", "%envreg27", "%envreg28", "%envreg29", "%envreg30", "%envreg31",
};
static_assert(sizeof(kSpecialRegNames) / sizeof(kSpecialRegNames[0]) == size_t(SpecialReg::Count));

}  // namespace

const char* opcode_name(Opcode op) {
  return op < Opcode::Count ? kOpcodeInfo[size_t(op)].name : "<invalid opcode>";
}

Unit default_unit(Opcode op) { return op < Opcode::Count ? kOpcodeInfo[size_t(op)].unit : Unit::Int; }

const char* unit_name(Unit u) {
  switch (u) {
    case Unit::Int: return "int";
    case Unit::Fp32: return "fp32";
    case Unit::Fp64: return "fp64";
    case Unit::Sfu: return "sfu";
    case Unit::Mem: return "mem";
    case Unit::Tensor: return "tensor";
    case Unit::Branch: return "branch";
    case Unit::Sync: return "sync";
  }
  return "<invalid unit>";
}

const char* type_name(DataType t) {
  switch (t) {
    case DataType::None: return "none";
    case DataType::Pred: return "pred";
    case DataType::B8: return "b8";
    case DataType::B16: return "b16";
    case DataType::B32: return "b32";
    case DataType::B64: return "b64";
    case DataType::B128: return "b128";
    case DataType::U8: return "u8";
    case DataType::U16: return "u16";
    case DataType::U32: return "u32";
    case DataType::U64: return "u64";
    case DataType::S8: return "s8";
    case DataType::S16: return "s16";
    case DataType::S32: return "s32";
    case DataType::S64: return "s64";
    case DataType::F16: return "f16";
    case DataType::F16x2: return "f16x2";
    case DataType::BF16: return "bf16";
    case DataType::BF16x2: return "bf16x2";
    case DataType::S16x2: return "s16x2";
    case DataType::U16x2: return "u16x2";
    case DataType::TF32: return "tf32";
    case DataType::F32: return "f32";
    case DataType::F64: return "f64";
    case DataType::E4M3x2: return "e4m3x2";
    case DataType::E5M2x2: return "e5m2x2";
    case DataType::U2: return "u2";
    case DataType::S2: return "s2";
    case DataType::U4: return "u4";
    case DataType::S4: return "s4";
    case DataType::B1: return "b1";
  }
  return "<invalid type>";
}

const char* space_name(StateSpace s) {
  switch (s) {
    case StateSpace::None: return "none";
    case StateSpace::Reg: return "reg";
    case StateSpace::Global: return "global";
    case StateSpace::Shared: return "shared";
    case StateSpace::Local: return "local";
    case StateSpace::Param: return "param";
    case StateSpace::Const: return "const";
    case StateSpace::Generic: return "generic";
  }
  return "<invalid space>";
}

const char* special_reg_name(SpecialReg r) {
  return r < SpecialReg::Count ? kSpecialRegNames[size_t(r)] : "<invalid special register>";
}

const Function* Module::find_function(const std::string& name) const {
  int i = function_index(name);
  return i < 0 ? nullptr : &functions[size_t(i)];
}

int Module::function_index(const std::string& name) const {
  for (size_t i = 0; i < functions.size(); ++i)
    if (functions[i].name == name) return int(i);
  return -1;
}

}  // namespace gpusim::isa
