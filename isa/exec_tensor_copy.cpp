// cp.async.bulk.tensor (tile mode, 1-5-D): the Tensor Memory Accelerator's copies of a box of
// a tensor described by a tensor map (isa/tensor_map.h) between global and shared memory.
//
//   load:  cp.async.bulk.tensor.Nd.shared::cluster.global.tile.mbarrier::complete_tx::bytes
//            [dst], [tensorMap, {c0, ..}], [mbar]
//   store: cp.async.bulk.tensor.Nd.global.shared::cta.tile.bulk_group [tensorMap, {c0, ..}], [src]
//
// The box starts at the (signed) coordinates and holds ceil(boxDim/elementStride) elements per
// dimension, stored densely in shared memory (innermost dimension fastest), with the map's
// swizzle applied to the shared addresses. A load fills elements outside the tensor with zero
// (or NaN for the NaN fill mode) and completes the whole box's bytes on the mbarrier; a store
// skips them. .multicast::cluster loads land at the same offset in every CTA of ctaMask, each
// CTA's mbarrier at the same offset receiving the bytes. One thread issues a copy; the
// functional model performs it at issue.
//
// .im2col loads (3-5-D, a map from cuTensorMapEncodeIm2col) take the im2col offsets after
// [mbar] and fill pixels_per_column x channels_per_pixel slots as isa/tensor_im2col.h says.
#include <cstdio>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "isa/cluster_address.h"
#include "isa/exec_context.h"
#include "isa/hex_text.h"
#include "isa/launch_state.h"
#include "isa/mbarrier_word.h"
#include "isa/tensor_im2col.h"
#include "isa/tensor_map.h"

namespace gpusim::isa {

namespace {

constexpr uint64_t kOffsetMask = (uint64_t(1) << kClusterRankShift) - 1;  // CTA-relative part

// The space an address operand points into: a named .param/.const/.global symbol's own space,
// otherwise a generic address (cvta.param of a __grid_constant__ parameter, or global memory).
StateSpace operand_space(const ExecContext& ctx, const Operand& o) {
  if (o.sym != kNoSymbol) return ctx.warp().module().symbols[o.sym].space;
  return StateSpace::Generic;
}

tmap::TensorMap load_map(ExecContext& ctx, const Operand& o, unsigned lane) {
  const uint64_t addr = ctx.address(o, lane);
  // The PTX ISA takes the map from .param, .const or .global memory only; a GPU faults on a copy
  // in local or shared memory (nvcc puts a CUtensorMap parameter that lacks __grid_constant__ in
  // local memory), which read here would load the right data and hide the bug.
  const StateSpace space = operand_space(ctx, o);
  auto in_window = [&](uint64_t base) { return space == StateSpace::Generic && addr >= base && addr - base < kWindowSize; };
  const bool local = space == StateSpace::Local || in_window(kLocalWindowBase);
  if (local || space == StateSpace::Shared || in_window(kSharedWindowBase))
    ctx.fail(lane, std::string("cp.async.bulk.tensor: the tensor map at ") + hex_text(addr) + " is in " +
                       (local ? "local" : "shared") +
                       " memory; the PTX ISA takes it only from .param, .const or .global memory: pass the CUtensorMap "
                       "as a `const __grid_constant__` kernel parameter, or copy it to global or constant memory");
  uint8_t bytes[tmap::kBytes];
  ctx.load(space, addr, bytes, tmap::kBytes, lane);
  auto map = tmap::decode(bytes);
  if (!map)
    ctx.fail(lane, "cp.async.bulk.tensor: the tensor map at " + hex_text(addr) +
                       " is malformed (not built by cuTensorMapEncodeTiled/cuTensorMapEncodeIm2col, or overwritten)");
  return *map;
}

// A NaN of the element type for the NaN fill mode (zero for integer types).
uint64_t fill_bits(const tmap::TensorMap& m) {
  if (!m.nan_fill || !m.is_float) return 0;
  switch (m.elem_bytes) {
    case 2: return 0x7fff;
    case 4: return 0x7fffffff;
    case 8: return 0x7fffffffffffffffull;
    default: return 0;
  }
}

}  // namespace

void exec_CpAsyncBulkTensor(ExecContext& ctx, const Instruction& in) {
  const bool load = in.mod.space == StateSpace::Shared;
  const bool im2col = in.mod.im2col;
  if (im2col && !load)
    ctx.fail_warp("cp.async.bulk.tensor stores in im2col mode (.im2col_no_offs) are not supported (only .tile)",
                  FaultKind::Unsupported);
  if (im2col && in.nops < 4) ctx.fail_warp("cp.async.bulk.tensor .im2col needs the im2col offsets operand after [mbar]");
  const unsigned cta_mask_op = im2col ? 4 : 3;
  if (in.mod.multicast && in.nops <= cta_mask_op)
    ctx.fail_warp("cp.async.bulk.tensor .multicast::cluster needs the ctaMask operand");
  if (load && (in.mod.space2 != StateSpace::Global || !in.mod.bulk_mbarrier || in.nops < 3))
    ctx.fail_warp("cp.async.bulk.tensor into shared memory needs .global as source, .mbarrier::complete_tx::bytes and "
                  "an [mbar] operand");
  if (!load && (in.mod.space != StateSpace::Global || in.mod.space2 != StateSpace::Shared || !in.mod.bulk_group))
    ctx.fail_warp("cp.async.bulk.tensor to global memory needs .global.shared::cta and .bulk_group");
  const Operand& map_op = in.ops[load ? 1 : 0];
  const Operand& smem_op = in.ops[load ? 0 : 1];
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const tmap::TensorMap m = load_map(ctx, map_op, lane);
    if (in.mod.tensor_dims != m.rank || map_op.count != m.rank)
      ctx.fail(lane, "cp.async.bulk.tensor." + std::to_string(in.mod.tensor_dims) + "d with " +
                         std::to_string(map_op.count) + " coordinates on a tensor map of rank " + std::to_string(m.rank));
    if (m.im2col != im2col)
      ctx.fail(lane, std::string("cp.async.bulk.tensor") + (im2col ? ".im2col" : ".tile") + " on a tensor map built by " +
                         (m.im2col ? "cuTensorMapEncodeIm2col" : "cuTensorMapEncodeTiled") + " (the modes must match)");
    std::array<int64_t, tmap::kMaxRank> origin{};
    for (unsigned d = 0; d < m.rank; ++d) origin[d] = int32_t(uint32_t(ctx.get(ctx.elem(map_op, d), lane)));
    std::vector<tmap::ElementSource> sources;
    if (im2col) {
      const Operand& offs = in.ops[3];
      const unsigned count = offs.kind == OperandKind::Vector ? offs.count : 1;
      if (count != m.rank - 2)
        ctx.fail(lane, "cp.async.bulk.tensor." + std::to_string(m.rank) + "d.im2col takes " + std::to_string(m.rank - 2) +
                           " im2col offsets (one per spatial dimension), the instruction gives " + std::to_string(count));
      std::array<int32_t, tmap::kMaxRank - 2> offsets{};
      for (unsigned s = 0; s < count; ++s)
        offsets[s] = int16_t(uint16_t(ctx.get(offs.kind == OperandKind::Vector ? ctx.elem(offs, s) : offs, lane)));
      sources = tmap::im2col_sources(m, origin, offsets);
    }
    const uint64_t smem = ctx.address(smem_op, lane);
    const uint64_t align = m.swizzle_bytes ? 8 * m.swizzle_bytes : 128;
    if (smem % align)
      ctx.fail(lane, "cp.async.bulk.tensor: shared address " + hex_text(smem) + " is not " + std::to_string(align) +
                         "-byte aligned" + (m.swizzle_bytes ? " (the swizzle pattern's repeat)" : ""),
               FaultKind::MisalignedAddress);
    const uint64_t fill = fill_bits(m);
    // Shared-memory destinations: this CTA's, or with .multicast::cluster the same offset in
    // each CTA ctaMask names (rank bits above the offset).
    std::vector<uint64_t> targets{smem & ~kOffsetMask};
    if (load && in.mod.multicast) {
      targets.clear();
      const uint16_t cta_mask = uint16_t(ctx.get(in.ops[cta_mask_op], lane));
      for (uint32_t rank = 0; rank < 16; ++rank)
        if (cta_mask >> rank & 1) targets.push_back(cluster_address(ctx, 0, rank, lane));
    }
    unsigned idx[tmap::kMaxRank] = {};
    const uint64_t total = m.box_elements();
    for (uint64_t linear = 0; linear < total; ++linear) {
      bool inside = true;
      uint64_t gaddr = m.global_address;
      if (im2col) inside = sources[linear].inside, gaddr = sources[linear].address;
      else for (unsigned d = 0; d < m.rank; ++d) {
        const int64_t c = origin[d] + int64_t(idx[d]) * m.element_strides[d];
        if (c < 0 || uint64_t(c) >= m.dims[d]) inside = false;
        else gaddr += uint64_t(c) * m.strides[d];
      }
      // The swizzle acts on the CTA-relative address; the rank bits of a shared::cluster address
      // (multicast targets) sit above it.
      const uint32_t saddr = tmap::box_shared_address(m, uint32_t(smem & kOffsetMask), linear * m.elem_bytes);
      uint64_t v = fill;
      if (load) {
        if (inside) ctx.load(StateSpace::Global, gaddr, &v, m.elem_bytes, lane);
        for (const uint64_t base : targets) ctx.store(StateSpace::Shared, base | saddr, &v, m.elem_bytes, lane);
      } else if (inside) {
        ctx.load(StateSpace::Shared, saddr, &v, m.elem_bytes, lane);
        ctx.store(StateSpace::Global, gaddr, &v, m.elem_bytes, lane);
      }
      if (!im2col)
        for (unsigned d = 0; d < m.rank && ++idx[d] == m.box_extent(d); ++d) idx[d] = 0;
    }
    if (load) {
      const uint64_t mbar = ctx.address(in.ops[2], lane);
      for (const uint64_t base : targets)
        mbarrier_add_transactions(ctx, StateSpace::Shared, base | (mbar & kOffsetMask), -int64_t(m.box_bytes()), lane,
                                  "cp.async.bulk.tensor (complete_tx of the " + std::to_string(m.box_bytes()) +
                                      "-byte box)");
    }
  });
}

}  // namespace gpusim::isa
