// The multiply-add contraction ptxas applies by default (--fmad=true): a float mul and add/sub
// without rounding modifiers may be fused into one FMA, and ptxas does fuse them, so a GPU rounds
// a*b+c once where the PTX says twice. nvcc leaves such pairs in the PTX wherever its own
// front end did not fuse them (an `r - a*b` under a condition, a product used across a branch:
// an outside linear-algebra user counted 752 pairs in one LU kernel), and the results differ from
// two roundings in the last bits.
//
// What ptxas 13 does (sm_80 cubins of each shape, the FFMA/DFMA/FMUL/DADD opcodes counted):
// - mul.f32/.f64/.f16/.f16x2/.bf16/.bf16x2 (no .rn/.rz/..., no .sat) whose result only plain
//   add/sub of the same type and .ftz read: every such add/sub becomes an FMA on the mul's operands
//   (two adds: two FMAs, no mul), in the mul's block or in a later one, guarded or not (cuda_fp16's
//   __hmul/__hadd and the half operators write such plain mul.f16/add.f16: HFMA2 on the GPU);
// - a product also read by anything else (a store, a compare): no FMA at all;
// - a rounding modifier on either instruction (mul.rn, add.rn: what __fmul_rn/__dadd_rn emit): no FMA.
// gpusim marks each contracted add/sub (Instruction::fused_product) so that it computes the fused
// result from the mul's operands and reads those (isa/register_use.h); the mul still runs (its
// register is read by nothing else), marked Instruction::product_fused: the timing model does not
// issue it, as the GPU runs no instruction for it. Kept
// out: a product that both sources of one add are (ptxas fuses one of them), a mul that is
// guarded, and one whose operands are written after it (the add must read what the mul read).
#pragma once

#include "isa/ir.h"

namespace gpusim::isa {

// Marks the contracted add/sub instructions of `f` (before annotate_register_operands, which
// annotates the copied operands too). Returns how many were marked.
size_t contract_multiply_adds(Function& f);

}  // namespace gpusim::isa
