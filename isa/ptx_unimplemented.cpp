#include "isa/ptx_unimplemented.h"

#include <algorithm>
#include <array>

namespace gpusim::isa {

namespace {

// The mnemonics of the PTX ISA (9.0's instruction index). Those gpusim implements are matched by
// the parser before this list is asked (only for tokens it could not decode), so listing them
// all costs nothing and keeps the list easy to check against the ISA.
constexpr std::array<std::string_view, 112> kPtxMnemonics = {
    "abs",      "activemask", "add",      "addc",         "alloca",    "and",       "applypriority",
    "atom",     "bar",        "barrier",  "bfe",          "bfi",       "bfind",     "bmsk",
    "bra",      "brev",       "brkpt",    "brx",          "call",      "clusterlaunchcontrol",
    "clz",      "cnot",       "copysign", "cos",          "cp",        "createpolicy", "cvt",
    "cvta",     "discard",    "div",      "dp2a",         "dp4a",      "elect",     "ex2",
    "exit",     "fence",      "fma",      "fns",          "getctarank", "griddepcontrol", "isspacep",
    "istypeof", "ld",         "ldmatrix", "ldu",          "lg2",       "lop3",      "mad",
    "mad24",    "madc",       "mapa",     "match",        "max",       "mbarrier",  "membar",
    "min",      "mma",        "mov",      "movmatrix",    "mul",       "mul24",     "multimem",
    "nanosleep", "neg",       "not",      "or",           "pmevent",   "popc",      "prefetch",
    "prefetchu", "prmt",      "rcp",      "red",          "redux",     "rem",       "ret",
    "rsqrt",    "sad",        "selp",     "set",          "setmaxnreg", "setp",     "shf",
    "shfl",     "shl",        "shr",      "sin",          "slct",      "sqrt",      "st",
    "stackrestore", "stacksave", "stmatrix", "sub",       "subc",      "suld",      "suq",
    "sured",    "sust",       "szext",    "tanh",         "tcgen05",   "tensormap", "testp",
    "tex",      "tld4",       "trap",     "txq",          "vote",      "wgmma",     "wmma",
    "xor",
};

// The video instructions, whose SIMD forms end in 2 or 4 (vadd2, vadd4).
constexpr std::array<std::string_view, 10> kVideoMnemonics = {"vabsdiff", "vadd", "vavrg", "vmad", "vmax",
                                                              "vmin",     "vset", "vshl",  "vshr", "vsub"};

bool listed(std::string_view name, const auto& list) { return std::find(list.begin(), list.end(), name) != list.end(); }

}  // namespace

bool is_unimplemented_ptx(std::string_view token, bool unknown_opcode) {
  if (!unknown_opcode) return false;
  const std::string_view mnemonic = token.substr(0, token.find('.'));
  if (listed(mnemonic, kPtxMnemonics)) return true;
  std::string_view base = mnemonic;
  if (base.ends_with('2') || base.ends_with('4')) base.remove_suffix(1);
  return listed(base, kVideoMnemonics);
}

}  // namespace gpusim::isa
