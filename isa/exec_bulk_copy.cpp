// sm_90 bulk copies (cp.async.bulk, the non-tensor form of the Tensor Memory Accelerator) and
// their bulk groups. One thread issues a whole copy of `size` bytes. The functional model
// performs the copy when it issues, then signals its completion: a copy into shared memory
// completes `size` bytes of transactions on its mbarrier (complete-tx), a copy to global memory
// completes its bulk group at once, so commit_group / wait_group have nothing left to wait for.
//
// Forms: cp.async.bulk.shared::{cta,cluster}.global.mbarrier::complete_tx::bytes{.multicast::cluster}
// [dst], [src], size, [mbar]{, ctaMask}, and cp.async.bulk.global.shared::cta.bulk_group [dst],
// [src], size. A multicast copy lands at the same offset in each CTA ctaMask names.
#include <cstdio>
#include <string>

#include "isa/cluster_address.h"
#include "isa/exec_context.h"
#include "isa/launch_state.h"
#include "isa/mbarrier_word.h"

namespace gpusim::isa {

namespace {
constexpr unsigned kChunk = 16;  // the copy's granularity: sizes and addresses are multiples of 16
}  // namespace

void exec_CpAsyncBulk(ExecContext& ctx, const Instruction& in) {
  const StateSpace dst_space = in.mod.space, src_space = in.mod.space2;
  if (in.mod.bulk_mbarrier && in.nops < 4)
    ctx.fail_warp("cp.async.bulk with .mbarrier::complete_tx::bytes needs the mbarrier operand [mbar]");
  if (in.mod.multicast && in.nops < 5) ctx.fail_warp("cp.async.bulk .multicast::cluster needs the ctaMask operand");
  for_each_lane(ctx.mask, [&](unsigned lane) {
    const uint64_t dst = ctx.address(in.ops[0], lane), src = ctx.address(in.ops[1], lane);
    const uint64_t size = uint32_t(ctx.get(in.ops[2], lane));
    if (size % kChunk || dst % kChunk || src % kChunk) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "cp.async.bulk: size %llu, destination 0x%llx and source 0x%llx must all be multiples of 16 bytes",
                    static_cast<unsigned long long>(size), static_cast<unsigned long long>(dst),
                    static_cast<unsigned long long>(src));
      ctx.fail(lane, buf, FaultKind::MisalignedAddress);
    }
    // The destinations: one, or with .multicast::cluster the same shared-memory offset (and
    // mbarrier offset) in every CTA of the cluster that ctaMask names.
    const uint64_t mbar = in.mod.bulk_mbarrier ? ctx.address(in.ops[3], lane) : 0;
    const uint16_t cta_mask = in.mod.multicast ? uint16_t(ctx.get(in.ops[4], lane)) : 0;
    for (uint32_t rank = 0; rank < 16; ++rank) {
      if (in.mod.multicast && !(cta_mask >> rank & 1)) continue;
      const uint64_t to = in.mod.multicast ? cluster_address(ctx, dst, rank, lane) : dst;
      uint8_t chunk[kChunk];
      for (uint64_t off = 0; off < size; off += kChunk) {
        ctx.load(src_space, src + off, chunk, kChunk, lane);
        ctx.store(dst_space, to + off, chunk, kChunk, lane);
      }
      if (in.mod.bulk_mbarrier)
        mbarrier_add_transactions(ctx, StateSpace::Shared, in.mod.multicast ? cluster_address(ctx, mbar, rank, lane) : mbar,
                                  -int64_t(size), lane, "cp.async.bulk (complete_tx of " + std::to_string(size) + " bytes)");
      if (!in.mod.multicast) break;
    }
  });
}

void exec_CpAsyncBulkCommit(ExecContext&, const Instruction&) {}
void exec_CpAsyncBulkWaitGroup(ExecContext&, const Instruction&) {}

}  // namespace gpusim::isa
