// PipeWaitClasses (sim/pipe_wait_classes.h), the sub-core's grouping of warps that only wait for
// a pipe or a queue: its masks against a plain per-slot reference (slot -> class, irregular set)
// over random join/leave/mark/clear sequences, and the class id against the three things the
// verdict of a pipe-waiting warp reads (pipe, memory or not, queue).
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "sim/pipe_wait_classes.h"

namespace gpusim::sim {
namespace {

TEST(PipeWaitClasses, ClassIdKeepsExactlyWhatTheVerdictReads) {
  std::array<bool, PipeWaitClasses::kClasses> seen{};
  for (int p = 0; p < static_cast<int>(Pipe::Count); ++p)
    for (int q = 0; q < PipeWaitClasses::kQueues; ++q)
      for (IssueKind kind : {IssueKind::Alu, IssueKind::Memory, IssueKind::Tensor, IssueKind::Control, IssueKind::Wgmma}) {
        InstTiming t;
        t.pipe = static_cast<Pipe>(p);
        t.queue = static_cast<QueueHint>(q);
        t.kind = kind;
        const int cls = PipeWaitClasses::class_of(t);
        ASSERT_GE(cls, 0);
        ASSERT_LT(cls, PipeWaitClasses::kClasses);
        const PipeWaitClasses::Key k = PipeWaitClasses::key_of(cls);
        EXPECT_EQ(k.pipe, t.pipe);
        EXPECT_EQ(k.memory, kind == IssueKind::Memory);
        // A wgmma's verdict also reads the tensor cores' queue: never a class with other kinds.
        EXPECT_EQ(k.wgmma, kind == IssueKind::Wgmma);
        // A non-memory instruction's queue does not enter its verdict, so it shares the class.
        EXPECT_EQ(k.queue, kind == IssueKind::Memory ? t.queue : QueueHint::None);
        if (kind == IssueKind::Memory) {
          EXPECT_FALSE(seen[static_cast<size_t>(cls)]) << "two memory (pipe, queue) pairs share class " << cls;
          seen[static_cast<size_t>(cls)] = true;
        }
      }
}

TEST(PipeWaitClasses, CountIsTheNumberOfSetBits) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    uint64_t m = rng();
    if (i % 3 == 1) m &= rng();  // sparser
    if (i % 3 == 2) m |= rng();  // denser
    if (i == 0) m = 0;
    if (i == 1) m = ~uint64_t(0);
    int bits = 0;
    for (int b = 0; b < 64; ++b) bits += static_cast<int>(m >> b & 1);
    ASSERT_EQ(PipeWaitClasses::count(m), bits) << std::hex << m;
  }
}

TEST(PipeWaitClasses, MasksMatchAPerSlotReferenceOnRandomSequences) {
  std::mt19937_64 rng(20261201);
  for (int round = 0; round < 200; ++round) {
    PipeWaitClasses c;
    std::array<int, 64> ref_class;  // -1: not a member
    ref_class.fill(-1);
    uint64_t ref_irregular = 0;
    const int slots = 1 + static_cast<int>(rng() % 64);
    for (int step = 0; step < 400; ++step) {
      const int slot = static_cast<int>(rng() % static_cast<uint64_t>(slots));
      switch (rng() % 5) {
        case 0:
        case 1:  // join (only a non-member joins, as in the sub-core)
          if (ref_class[slot] < 0) {
            const int cls = static_cast<int>(rng() % PipeWaitClasses::kClasses);
            c.join(slot, cls);
            ref_class[slot] = cls;
            ref_irregular |= uint64_t(1) << slot;
          }
          break;
        case 2:
          c.leave(slot);
          ref_class[slot] = -1;
          ref_irregular &= ~(uint64_t(1) << slot);
          break;
        case 3:
          c.mark_irregular(slot);
          if (ref_class[slot] >= 0) ref_irregular |= uint64_t(1) << slot;
          break;
        default:
          if (rng() % 4 == 0) {
            c.clear_irregular();
            ref_irregular = 0;
          }
      }
      // The reference's view, built by the plain loop over every slot.
      uint64_t all = 0, present = 0;
      std::array<uint64_t, PipeWaitClasses::kClasses> members{};
      for (int s = 0; s < 64; ++s) {
        if (ref_class[s] < 0) continue;
        all |= uint64_t(1) << s;
        present |= uint64_t(1) << ref_class[s];
        members[static_cast<size_t>(ref_class[s])] |= uint64_t(1) << s;
        ASSERT_EQ(c.class_of_slot(s), ref_class[s]);
      }
      ASSERT_EQ(c.all(), all) << "round " << round << " step " << step;
      ASSERT_EQ(c.present(), present);
      ASSERT_EQ(c.irregular(), ref_irregular);
      for (int s = 0; s < 64; ++s) {
        ASSERT_EQ(c.contains(s), ref_class[s] >= 0);
        ASSERT_EQ(c.is_regular(s), ref_class[s] >= 0 && !(ref_irregular >> s & 1));
      }
      for (int k = 0; k < PipeWaitClasses::kClasses; ++k) {
        const uint64_t m = members[static_cast<size_t>(k)];
        ASSERT_EQ(c.members(k), m);
        // The regular members, counted bit by bit over every slot.
        int regular = 0;
        for (int s = 0; s < 64; ++s) regular += (m >> s & 1) && !(ref_irregular >> s & 1);
        ASSERT_EQ(c.regular_count(k, m & ref_irregular), regular);
      }
    }
  }
}

}  // namespace
}  // namespace gpusim::sim
