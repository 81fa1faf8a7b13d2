// The kernels of tests/isa/global_footprint_test.cpp (kept apart: the test reads better without
// 200 lines of PTX in front of it).
#pragma once

namespace gpusim::isa::footprint_test {

// Every kernel runs as one warp of 32 threads (t = %tid.x). A comment "@name" marks an instruction
// that a test looks up by name (the marker's line is the instruction's source line).
inline const char* const kPtx = R"(.version 8.0
.target sm_80
.address_size 64

// Scalar and vector shapes over pa (1024 bytes) and pb (256 bytes).
.visible .entry shapes(.param .u64 pa, .param .u64 pb)
{
  .reg .b32 %r<30>;
  .reg .b64 %rd<30>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd3, %rd5;
  ld.global.u32 %r2, [%rd6];  // @ld_u32
  mul.wide.u32 %rd7, %r1, 12;
  add.s64 %rd8, %rd3, %rd7;
  ld.global.u32 %r3, [%rd8+8];  // @ld_stride12
  mul.wide.u32 %rd9, %r1, 16;
  add.s64 %rd10, %rd3, %rd9;
  ld.global.v4.u32 {%r4, %r5, %r6, %r7}, [%rd10];  // @ld_v4
  ld.global.v2.u64 {%rd11, %rd12}, [%rd10+512];  // @ld_v2_u64
  cvt.u64.u32 %rd13, %r1;
  add.s64 %rd14, %rd3, %rd13;
  ld.global.u8 %r8, [%rd14+3];  // @ld_u8
  xor.b32 %r9, %r1, 31;
  mul.wide.u32 %rd15, %r9, 2;
  add.s64 %rd16, %rd3, %rd15;
  ld.global.s16 %r10, [%rd16+64];  // @ld_s16_descending
  ldu.global.u32 %r11, [%rd3+100];  // @ldu_one_word
  mul.wide.u32 %rd17, %r1, 8;
  add.s64 %rd18, %rd4, %rd17;
  st.global.u32 [%rd18+4], %r2;  // @st_u32
  st.global.v2.u32 [%rd18], {%r3, %r4};  // @st_v2
  ld.global.u64 %rd19, [%rd18];  // @ld_u64
  st.global.u64 [%rd18], %rd11;  // @st_u64
  ld.global.u32 %r12, [%rd4+252];  // @ld_last_word
  mul.wide.u32 %rd20, %r1, 32;
  add.s64 %rd21, %rd3, %rd20;
  ld.global.v8.b32 {%r13, %r14, %r15, %r16, %r17, %r18, %r19, %r20}, [%rd21];  // @ld_v8
  ret;
}

// Addresses naming a module-scope .global variable (256 bytes), as the symbol plus an offset and
// through a register holding the symbol's address.
.global .align 8 .b32 gtable[64];
.visible .entry symbols()
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  mov.u32 %r1, %tid.x;
  ld.global.u32 %r2, [gtable+8];  // @symbol_plus_offset
  mov.u64 %rd1, gtable;
  mul.wide.u32 %rd2, %r1, 4;
  add.s64 %rd3, %rd1, %rd2;
  st.global.u32 [%rd3+128], %r1;  // @symbol_in_register
  ld.global.u32 %r3, [%rd3+132];  // @symbol_past_end
  ret;
}

// Guards and divergence over pa (64 bytes: lanes 16..31 of a + 4t are past its end) and pb
// (128 bytes).
.visible .entry guards(.param .u64 pa, .param .u64 pb)
{
  .reg .b32 %r<20>;
  .reg .b64 %rd<20>;
  .reg .pred %p<10>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  mul.wide.u32 %rd5, %r1, 4;
  add.s64 %rd6, %rd3, %rd5;
  add.s64 %rd7, %rd4, %rd5;
  setp.lt.u32 %p1, %r1, 16;
  @%p1 ld.global.u32 %r2, [%rd6];  // @low_half
  setp.ge.u32 %p2, %r1, 16;
  @!%p2 st.global.u32 [%rd6], %r1;  // @low_half_negated_guard
  setp.eq.u32 %p3, %r1, 5;
  selp.u64 %rd8, 2, 0, %p3;
  add.s64 %rd9, %rd6, %rd8;
  setp.ne.u32 %p4, %r1, 5;
  and.pred %p5, %p1, %p4;
  @%p5 ld.global.u32 %r3, [%rd9];  // @skips_misaligned_lane_5
  setp.gt.u32 %p6, %r1, 100;
  @%p6 ld.global.u32 %r4, [%rd6];  // @no_lane_load
  @%p6 st.global.u32 [%rd6], %r4;  // @no_lane_store
  setp.eq.u32 %p7, %r1, 9;
  @%p7 ld.global.u32 %r5, [%rd6];  // @lane_9_only
  setp.lt.u32 %p8, %r1, 8;
  @%p8 bra LOW;
  ld.global.u32 %r6, [%rd7];  // @high_path
  bra.uni JOIN;
LOW:
  ld.global.u32 %r6, [%rd6];  // @low_path
JOIN:
  st.global.u32 [%rd7], %r6;  // @after_join
  ret;
}

// Loads of a + 4t + bump, bump = 2 in lane 5 only (misaligned there).
.visible .entry misaligned(.param .u64 pa)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.u32 %r2, [%rd4];  // @aligned_first
  setp.eq.u32 %p1, %r1, 5;
  selp.u64 %rd5, 2, 0, %p1;
  add.s64 %rd6, %rd4, %rd5;
  ld.global.u32 %r3, [%rd6];  // @lane_5_misaligned
  ret;
}

// A 16-byte vector load of a + 16t + bump, bump = 8 in lane 7 only: 8-byte aligned there, which is
// not enough for 16 bytes.
.visible .entry misaligned_vector(.param .u64 pa)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<10>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.u32 %rd3, %r1, 16;
  add.s64 %rd4, %rd2, %rd3;
  setp.eq.u32 %p1, %r1, 7;
  selp.u64 %rd5, 8, 0, %p1;
  add.s64 %rd6, %rd4, %rd5;
  ld.global.v4.u32 {%r2, %r3, %r4, %r5}, [%rd6];  // @lane_7_misaligned_v4
  ret;
}

// A load of pa + 4t (it leaves pa's allocation in the warp's cache), then one of pb + 4t + off.
.visible .entry second_access(.param .u64 pa, .param .u64 pb, .param .u64 off)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  ld.param.u64 %rd3, [off];
  cvta.to.global.u64 %rd4, %rd1;
  cvta.to.global.u64 %rd5, %rd2;
  mul.wide.u32 %rd6, %r1, 4;
  add.s64 %rd7, %rd4, %rd6;
  ld.global.u32 %r2, [%rd7];  // @first
  add.s64 %rd8, %rd5, %rd6;
  add.s64 %rd9, %rd8, %rd3;
  ld.global.u32 %r3, [%rd9];  // @second
  ret;
}

// Lanes 0..15 load from pa + 4t, lanes 16..31 from pb + 4t: two allocations in one instruction.
.visible .entry two_allocations(.param .u64 pa, .param .u64 pb)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  .reg .pred %p<2>;
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  ld.param.u64 %rd2, [pb];
  cvta.to.global.u64 %rd3, %rd1;
  cvta.to.global.u64 %rd4, %rd2;
  setp.lt.u32 %p1, %r1, 16;
  selp.b64 %rd5, %rd3, %rd4, %p1;
  mul.wide.u32 %rd6, %r1, 4;
  add.s64 %rd7, %rd5, %rd6;
  ld.global.u32 %r2, [%rd7];  // @split
  ret;
}

// Generic ld/st of a global address (through cvta), which count; then instructions that do not:
// a generic load of shared memory, atom, red, shared memory, arithmetic; last a 16-byte element (.b128), which step_warp does not support.
.visible .entry others(.param .u64 pa)
{
  .reg .b32 %r<10>;
  .reg .b64 %rd<12>;
  .reg .b128 %q<2>;
  .shared .align 4 .b32 sm[32];
  mov.u32 %r1, %tid.x;
  ld.param.u64 %rd1, [pa];
  cvta.to.global.u64 %rd2, %rd1;
  cvta.global.u64 %rd3, %rd2;
  mul.wide.u32 %rd4, %r1, 4;
  add.s64 %rd5, %rd3, %rd4;
  ld.u32 %r2, [%rd5];  // @generic_ld
  st.u32 [%rd5], %r1;  // @generic_st
  mov.u64 %rd9, sm;
  cvta.shared.u64 %rd10, %rd9;
  add.s64 %rd11, %rd10, %rd4;
  ld.u32 %r8, [%rd11];  // @generic_shared
  add.s64 %rd6, %rd2, %rd4;
  atom.global.add.u32 %r3, [%rd6], 1;  // @atom
  red.global.add.u32 [%rd6], 1;  // @red
  add.s32 %r4, %r3, 1;  // @add
  mov.u32 %r5, sm;
  shl.b32 %r6, %r1, 2;
  add.s32 %r7, %r5, %r6;
  st.shared.u32 [%r7], %r4;  // @st_shared
  mul.wide.u32 %rd7, %r1, 16;
  add.s64 %rd8, %rd2, %rd7;
  ld.global.b128 %q1, [%rd8];  // @ld_b128
  ret;
}
)";

}  // namespace gpusim::isa::footprint_test
