// Inline PTX as hand-tuned kernels write it: lop3 with several truth tables, every prmt mode,
// funnel shifts (shf .l/.r, .wrap/.clamp), bfe/bfi (signed, unsigned, 64-bit, out-of-range
// fields), mul.hi / mul.wide / mad.wide / mad.hi, carry chains (add.cc/addc, sub.cc/subc,
// mad.lo.cc/madc.hi) for 128-bit arithmetic, bfind (.shiftamt), 64-bit popc/clz/brev, testp,
// copysign, sad, slct; warp-level vote.sync / redux.sync / %lanemask_* / %laneid; %smid < %nsmid;
// ld.volatile / st.volatile and red.global / red.shared / atom.cas. The host reference follows
// the PTX ISA's pseudo-code bit by bit (a different formulation from any intrinsic).
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "check.cuh"

constexpr int kOps = 48;

template <int Lut>
__device__ uint32_t lop3(uint32_t a, uint32_t b, uint32_t c) {
  uint32_t d;
  asm("lop3.b32 %0, %1, %2, %3, %4;" : "=r"(d) : "r"(a), "r"(b), "r"(c), "n"(Lut));
  return d;
}

#define PRMT(mode, d, a, b, c) asm("prmt.b32" mode " %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c))
#define SHF(mode, d, a, b, c) asm("shf" mode ".b32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c))

__global__ void scalar_ops(const uint32_t* in, uint32_t* out, int n) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t >= n) return;
  const uint32_t a = in[3 * t], b = in[3 * t + 1], c = in[3 * t + 2];
  uint32_t* o = out + size_t(t) * kOps;
  o[0] = lop3<0x96>(a, b, c), o[1] = lop3<0xe8>(a, b, c), o[2] = lop3<0xca>(a, b, c), o[3] = lop3<0x1e>(a, b, c);
  PRMT("", o[4], a, b, c);
  PRMT(".f4e", o[5], a, b, c);
  PRMT(".b4e", o[6], a, b, c);
  PRMT(".rc8", o[7], a, b, c);
  PRMT(".ecl", o[8], a, b, c);
  PRMT(".ecr", o[9], a, b, c);
  PRMT(".rc16", o[10], a, b, c);
  const uint32_t sh = c % 40;  // beyond 31 too, for .clamp
  SHF(".l.wrap", o[11], a, b, sh);
  SHF(".l.clamp", o[12], a, b, sh);
  SHF(".r.wrap", o[13], a, b, sh);
  SHF(".r.clamp", o[14], a, b, sh);
  const uint32_t pos = b % 40, len = c % 40;  // fields running past bit 31 included
  asm("bfe.u32 %0, %1, %2, %3;" : "=r"(o[15]) : "r"(a), "r"(pos), "r"(len));
  asm("bfe.s32 %0, %1, %2, %3;" : "=r"(o[16]) : "r"(a), "r"(pos), "r"(len));
  asm("bfi.b32 %0, %1, %2, %3, %4;" : "=r"(o[17]) : "r"(c), "r"(a), "r"(pos), "r"(len));
  const uint64_t a64 = (uint64_t(a) << 32) | b, b64 = (uint64_t(c) << 32) | (a ^ b);
  uint64_t r64;
  asm("bfe.s64 %0, %1, %2, %3;" : "=l"(r64) : "l"(a64), "r"(b % 70), "r"(c % 70));
  o[18] = uint32_t(r64), o[19] = uint32_t(r64 >> 32);
  asm("bfi.b64 %0, %1, %2, %3, %4;" : "=l"(r64) : "l"(b64), "l"(a64), "r"(b % 70), "r"(c % 70));
  o[20] = uint32_t(r64), o[21] = uint32_t(r64 >> 32);
  asm("mul.hi.u32 %0, %1, %2;" : "=r"(o[22]) : "r"(a), "r"(b));
  asm("mul.hi.s32 %0, %1, %2;" : "=r"(o[23]) : "r"(a), "r"(b));
  asm("mul.hi.u64 %0, %1, %2;" : "=l"(r64) : "l"(a64), "l"(b64));
  o[24] = uint32_t(r64), o[25] = uint32_t(r64 >> 32);
  asm("mul.hi.s64 %0, %1, %2;" : "=l"(r64) : "l"(a64), "l"(b64));
  o[26] = uint32_t(r64), o[27] = uint32_t(r64 >> 32);
  asm("mad.wide.s32 %0, %1, %2, %3;" : "=l"(r64) : "r"(a), "r"(b), "l"(b64));
  o[28] = uint32_t(r64), o[29] = uint32_t(r64 >> 32);
  asm("mad.hi.u32 %0, %1, %2, %3;" : "=r"(o[30]) : "r"(a), "r"(b), "r"(c));
  // 128-bit a64:b64 + b64:a64 and a64:b64 - b64:a64 through four-word carry chains.
  asm("add.cc.u32 %0, %4, %8;\n\taddc.cc.u32 %1, %5, %9;\n\taddc.cc.u32 %2, %6, %10;\n\taddc.u32 %3, %7, %11;"
      : "=r"(o[31]), "=r"(o[32]), "=r"(o[33]), "=r"(o[34])
      : "r"(uint32_t(b64)), "r"(uint32_t(b64 >> 32)), "r"(uint32_t(a64)), "r"(uint32_t(a64 >> 32)),
        "r"(uint32_t(a64)), "r"(uint32_t(a64 >> 32)), "r"(uint32_t(b64)), "r"(uint32_t(b64 >> 32)));
  asm("sub.cc.u32 %0, %4, %8;\n\tsubc.cc.u32 %1, %5, %9;\n\tsubc.cc.u32 %2, %6, %10;\n\tsubc.u32 %3, %7, %11;"
      : "=r"(o[35]), "=r"(o[36]), "=r"(o[37]), "=r"(o[38])
      : "r"(uint32_t(b64)), "r"(uint32_t(b64 >> 32)), "r"(uint32_t(a64)), "r"(uint32_t(a64 >> 32)),
        "r"(uint32_t(a64)), "r"(uint32_t(a64 >> 32)), "r"(uint32_t(b64)), "r"(uint32_t(b64 >> 32)));
  // 64x32 -> 96-bit product with mad.lo.cc / madc.hi: (a:b) * c.
  asm("{\n\t.reg .u32 lo, mid, hi;\n\t"
      "mul.lo.u32 lo, %4, %5;\n\tmul.hi.u32 mid, %4, %5;\n\t"
      "mad.lo.cc.u32 mid, %3, %5, mid;\n\tmadc.hi.u32 hi, %3, %5, 0;\n\t"
      "mov.u32 %0, lo;\n\tmov.u32 %1, mid;\n\tmov.u32 %2, hi;\n\t}"
      : "=r"(o[39]), "=r"(o[40]), "=r"(o[41])
      : "r"(a), "r"(b), "r"(c));
  asm("bfind.u32 %0, %1;" : "=r"(o[42]) : "r"(a >> (c % 32)));
  asm("bfind.shiftamt.s32 %0, %1;" : "=r"(o[43]) : "r"(int32_t(b) >> (c % 32)));
  uint32_t p, z;
  asm("popc.b64 %0, %1;" : "=r"(p) : "l"(a64 & b64));
  asm("clz.b64 %0, %1;" : "=r"(z) : "l"(a64 >> (c % 64)));
  o[44] = p | (z << 16);
  asm("brev.b64 %0, %1;" : "=l"(r64) : "l"(a64));
  o[45] = uint32_t(r64) ^ uint32_t(r64 >> 32);
  // testp on a as f32: one bit per property; copysign(b, a); sad; slct.
  uint32_t bits = 0, pred_bit;
#define TESTP(prop, k)                                                                          \
  asm("{\n\t.reg .pred q;\n\ttestp" prop ".f32 q, %1;\n\tselp.u32 %0, 1, 0, q;\n\t}" : "=r"(pred_bit) \
      : "f"(__uint_as_float(a)));                                                               \
  bits |= pred_bit << k;
  TESTP(".finite", 0) TESTP(".infinite", 1) TESTP(".number", 2) TESTP(".notanumber", 3) TESTP(".normal", 4)
  TESTP(".subnormal", 5)
  float cs;
  asm("copysign.f32 %0, %1, %2;" : "=f"(cs) : "f"(__uint_as_float(a)), "f"(__uint_as_float(b & 0x7f7fffffu)));
  uint32_t sad, sl;
  asm("sad.u32 %0, %1, %2, %3;" : "=r"(sad) : "r"(a & 0xffff), "r"(b & 0xffff), "r"(c & 0xff));
  asm("slct.u32.s32 %0, %1, %2, %3;" : "=r"(sl) : "r"(a), "r"(b), "r"(int32_t(c)));
  o[46] = bits | ((__float_as_uint(cs) >> 31) << 8) | (sad << 9);
  o[47] = sl;
}

// Warp-level: each lane contributes v; lanes whose v is odd take part in a second, partial-mask
// redux. Results per lane: ballot, any/all/uni, redux add/min/max/and/or/xor, lanemasks, laneid.
constexpr int kWarpOps = 14;
__global__ void warp_ops(const uint32_t* in, uint32_t* out, uint32_t* sm_ok) {
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  const uint32_t v = in[t];
  uint32_t* o = out + size_t(t) * kWarpOps;
  uint32_t lane, ballot, any, all, uni, lt, ge;
  asm("mov.u32 %0, %%laneid;" : "=r"(lane));
  asm("{\n\t.reg .pred p;\n\tsetp.ne.u32 p, %1, 0;\n\tvote.sync.ballot.b32 %0, p, 0xffffffff;\n\t}" : "=r"(ballot) : "r"(v & 4));
  asm("{\n\t.reg .pred p, q;\n\tsetp.gt.u32 p, %1, 1000;\n\tvote.sync.any.pred q, p, 0xffffffff;\n\tselp.u32 %0, 1, 0, q;\n\t}" : "=r"(any) : "r"(v));
  asm("{\n\t.reg .pred p, q;\n\tsetp.lt.u32 p, %1, 60000;\n\tvote.sync.all.pred q, p, 0xffffffff;\n\tselp.u32 %0, 1, 0, q;\n\t}" : "=r"(all) : "r"(v));
  asm("{\n\t.reg .pred p, q;\n\tsetp.ne.u32 p, %1, 0;\n\tvote.sync.uni.pred q, p, 0xffffffff;\n\tselp.u32 %0, 1, 0, q;\n\t}" : "=r"(uni) : "r"(v & 0x10000));
  asm("mov.u32 %0, %%lanemask_lt;" : "=r"(lt));
  asm("mov.u32 %0, %%lanemask_ge;" : "=r"(ge));
  o[0] = ballot, o[1] = any | (all << 1) | (uni << 2), o[2] = lt, o[3] = ge, o[4] = lane;
  asm("redux.sync.add.u32 %0, %1, 0xffffffff;" : "=r"(o[5]) : "r"(v));
  asm("redux.sync.min.s32 %0, %1, 0xffffffff;" : "=r"(o[6]) : "r"(int32_t(v) - 30000));
  asm("redux.sync.max.u32 %0, %1, 0xffffffff;" : "=r"(o[7]) : "r"(v));
  asm("redux.sync.and.b32 %0, %1, 0xffffffff;" : "=r"(o[8]) : "r"(v | 0xf0f0u));
  asm("redux.sync.or.b32 %0, %1, 0xffffffff;" : "=r"(o[9]) : "r"(v));
  asm("redux.sync.xor.b32 %0, %1, 0xffffffff;" : "=r"(o[10]) : "r"(v));
  const uint32_t odd = __ballot_sync(0xffffffffu, v & 1);
  o[11] = o[12] = 0;
  if (v & 1) {
    asm volatile("redux.sync.add.u32 %0, %1, %2;" : "=r"(o[11]) : "r"(v), "r"(odd));
    asm volatile("redux.sync.max.s32 %0, %1, %2;" : "=r"(o[12]) : "r"(int32_t(v) - 30000), "r"(odd));
  }
  o[13] = odd;
  uint32_t smid, nsmid;
  asm("mov.u32 %0, %%smid;" : "=r"(smid));
  asm("mov.u32 %0, %%nsmid;" : "=r"(nsmid));
  if (smid >= nsmid || nsmid == 0) atomicExch(sm_ok, 0u);
}

// Memory: volatile flag hand-off inside a block, red/atom on global and shared memory.
__global__ void memory_ops(const uint32_t* in, uint32_t* totals, uint32_t* flags, uint32_t* result, int n) {
  __shared__ uint32_t shared_sum, shared_xor;
  const int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (threadIdx.x == 0) shared_sum = 0, shared_xor = 0;
  __syncthreads();
  const uint32_t v = t < n ? in[t] : 0;
  asm volatile("red.shared.add.u32 [%0], %1;" ::"r"(uint32_t(__cvta_generic_to_shared(&shared_sum))), "r"(v));
  asm volatile("red.shared.xor.b32 [%0], %1;" ::"r"(uint32_t(__cvta_generic_to_shared(&shared_xor))), "r"(v * 2654435761u));
  asm volatile("red.global.add.u32 [%0], %1;" ::"l"(totals), "r"(v));
  asm volatile("red.global.max.s32 [%0], %1;" ::"l"(totals + 1), "r"(int32_t(v) - 40000));
  asm volatile("red.global.min.u32 [%0], %1;" ::"l"(totals + 2), "r"(v + 7));
  asm volatile("red.global.add.u64 [%0], %1;" ::"l"(totals + 4), "l"(uint64_t(v) << 20));
  uint32_t old;
  asm volatile("atom.global.cas.b32 %0, [%1], %2, %3;" : "=r"(old) : "l"(totals + 3), "r"(0u), "r"(uint32_t(t + 1)));
  if (old == 0) asm volatile("red.global.add.u32 [%0], %1;" ::"l"(totals + 8), "r"(1u));  // exactly one CAS wins
  __syncthreads();
  if (threadIdx.x == 0) {
    asm volatile("red.global.add.u32 [%0], %1;" ::"l"(totals + 6), "r"(shared_sum));
    asm volatile("red.global.xor.b32 [%0], %1;" ::"l"(totals + 7), "r"(shared_xor));
  }
  // Warp 1 of each block publishes through st.volatile; warp 0 spins with ld.volatile.
  if (threadIdx.x == 32) {
    asm volatile("st.volatile.global.u32 [%0], %1;" ::"l"(result + blockIdx.x), "r"(blockIdx.x * 3u + 1));
    __threadfence();
    asm volatile("st.volatile.global.u32 [%0], %1;" ::"l"(flags + blockIdx.x), "r"(1u));
  }
  if (threadIdx.x == 0) {
    uint32_t f = 0, r;
    do asm volatile("ld.volatile.global.u32 %0, [%1];" : "=r"(f) : "l"(flags + blockIdx.x));
    while (f == 0);
    asm volatile("ld.volatile.global.u32 %0, [%1];" : "=r"(r) : "l"(result + blockIdx.x));
    result[gridDim.x + blockIdx.x] = r * 2;
  }
}

// ---------------- host references, from the PTX ISA's descriptions ----------------
uint32_t host_lop3(uint32_t a, uint32_t b, uint32_t c, uint32_t lut) {
  uint32_t d = 0;
  for (int i = 0; i < 32; ++i) {
    const int idx = ((a >> i & 1) << 2) | ((b >> i & 1) << 1) | (c >> i & 1);
    d |= ((lut >> idx) & 1u) << i;
  }
  return d;
}

uint32_t host_prmt(uint32_t a, uint32_t b, uint32_t c, const char* mode) {
  uint8_t bytes[8];
  for (int i = 0; i < 4; ++i) bytes[i] = uint8_t(a >> (8 * i)), bytes[4 + i] = uint8_t(b >> (8 * i));
  uint32_t d = 0;
  const unsigned s = c & 3;
  for (unsigned i = 0; i < 4; ++i) {
    uint8_t v;
    if (!std::strcmp(mode, "")) {
      const unsigned sel = (c >> (4 * i)) & 0xf;
      v = bytes[sel & 7];
      if (sel & 8) v = (v & 0x80) ? 0xff : 0;  // replicate the selected byte's sign
    } else if (!std::strcmp(mode, "f4e")) v = bytes[(s + i) % 8];
    else if (!std::strcmp(mode, "b4e")) v = bytes[(s + 8 - i) % 8];
    else if (!std::strcmp(mode, "rc8")) v = bytes[s];
    else if (!std::strcmp(mode, "ecl")) v = bytes[i > s ? i : s];
    else if (!std::strcmp(mode, "ecr")) v = bytes[i < s ? i : s];
    else v = bytes[2 * (s & 1) + (i & 1)];  // rc16
    d |= uint32_t(v) << (8 * i);
  }
  return d;
}

uint32_t host_shf(uint32_t a, uint32_t b, uint32_t n, bool left, bool clamp) {
  n = clamp ? (n > 32 ? 32 : n) : n & 31;
  const uint64_t pair = (uint64_t(b) << 32) | a;
  return left ? uint32_t((pair << n) >> 32) : uint32_t(pair >> n);
}

uint64_t host_bfe(uint64_t a, unsigned pos, unsigned len, int width, bool is_signed) {
  const unsigned msb = width - 1;
  const unsigned top = pos + len - 1 < msb ? pos + len - 1 : msb;
  const unsigned sbit = (is_signed && len != 0) ? unsigned(a >> top & 1) : 0;
  uint64_t d = 0;
  for (unsigned i = 0; i <= msb; ++i) {
    const unsigned bit = (i < len && pos + i <= msb) ? unsigned(a >> (pos + i) & 1) : sbit;
    d |= uint64_t(bit) << i;
  }
  return d;
}

uint64_t host_bfi(uint64_t f, uint64_t b, unsigned pos, unsigned len, int width) {
  uint64_t d = b;
  for (unsigned i = 0; i < len && pos + i < unsigned(width); ++i)
    d = (d & ~(uint64_t(1) << (pos + i))) | ((f >> i & 1) << (pos + i));
  return d;
}

int host_bfind(uint32_t v, bool is_signed, bool shiftamt) {
  if (is_signed && int32_t(v) < 0) v = ~v;
  int msb = -1;
  for (int i = 31; i >= 0; --i)
    if (v >> i & 1) { msb = i; break; }
  if (msb < 0) return -1;
  return shiftamt ? 31 - msb : msb;
}

void expect_eq(uint32_t got, uint32_t want, int t, int op, const std::vector<uint32_t>& in) {
  if (got != want) {
    std::fprintf(stderr, "inline_ptx: thread %d op %d: got 0x%08x, expected 0x%08x (a=0x%08x b=0x%08x c=0x%08x)\n", t, op,
                 got, want, in[3 * t], in[3 * t + 1], in[3 * t + 2]);
    std::exit(1);
  }
}

void check_scalar(const std::vector<uint32_t>& in, const std::vector<uint32_t>& out, int n) {
  for (int t = 0; t < n; ++t) {
    const uint32_t a = in[3 * t], b = in[3 * t + 1], c = in[3 * t + 2];
    const uint32_t* o = &out[size_t(t) * kOps];
    std::vector<uint32_t> w(kOps);
    w[0] = host_lop3(a, b, c, 0x96), w[1] = host_lop3(a, b, c, 0xe8), w[2] = host_lop3(a, b, c, 0xca);
    w[3] = host_lop3(a, b, c, 0x1e);
    const char* modes[] = {"", "f4e", "b4e", "rc8", "ecl", "ecr", "rc16"};
    for (int m = 0; m < 7; ++m) w[4 + m] = host_prmt(a, b, c, modes[m]);
    const uint32_t sh = c % 40;
    w[11] = host_shf(a, b, sh, true, false), w[12] = host_shf(a, b, sh, true, true);
    w[13] = host_shf(a, b, sh, false, false), w[14] = host_shf(a, b, sh, false, true);
    const uint32_t pos = b % 40, len = c % 40;
    w[15] = uint32_t(host_bfe(a, pos, len, 32, false)), w[16] = uint32_t(host_bfe(a, pos, len, 32, true));
    w[17] = uint32_t(host_bfi(c, a, pos, len, 32));
    const uint64_t a64 = (uint64_t(a) << 32) | b, b64 = (uint64_t(c) << 32) | (a ^ b);
    uint64_t r = host_bfe(a64, b % 70 & 0xff, c % 70 & 0xff, 64, true);
    w[18] = uint32_t(r), w[19] = uint32_t(r >> 32);
    r = host_bfi(b64, a64, b % 70, c % 70, 64);
    w[20] = uint32_t(r), w[21] = uint32_t(r >> 32);
    w[22] = uint32_t((uint64_t(a) * b) >> 32), w[23] = uint32_t((int64_t(int32_t(a)) * int32_t(b)) >> 32);
    r = uint64_t((unsigned __int128)a64 * b64 >> 64);
    w[24] = uint32_t(r), w[25] = uint32_t(r >> 32);
    r = uint64_t((__int128)int64_t(a64) * int64_t(b64) >> 64);
    w[26] = uint32_t(r), w[27] = uint32_t(r >> 32);
    r = uint64_t(int64_t(int32_t(a)) * int32_t(b)) + b64;
    w[28] = uint32_t(r), w[29] = uint32_t(r >> 32);
    w[30] = uint32_t((uint64_t(a) * b) >> 32) + c;
    const unsigned __int128 x = ((unsigned __int128)a64 << 64) | b64, y = ((unsigned __int128)b64 << 64) | a64;
    // The chains' first operand is the words b64, a64 from the low end (x), the second y.
    const unsigned __int128 sum = x + y, diff = x - y;
    for (int i = 0; i < 4; ++i) w[31 + i] = uint32_t(sum >> (32 * i)), w[35 + i] = uint32_t(diff >> (32 * i));
    const unsigned __int128 prod = (unsigned __int128)a64 * c;
    for (int i = 0; i < 3; ++i) w[39 + i] = uint32_t(prod >> (32 * i));
    w[42] = uint32_t(host_bfind(a >> (c % 32), false, false));
    w[43] = uint32_t(host_bfind(uint32_t(int32_t(b) >> (c % 32)), true, true));
    const uint64_t shifted = a64 >> (c % 64);
    int lz = 0;
    while (lz < 64 && !(shifted >> (63 - lz) & 1)) ++lz;
    w[44] = uint32_t(__builtin_popcountll(a64 & b64)) | (uint32_t(lz) << 16);
    uint64_t rev = 0;
    for (int i = 0; i < 64; ++i) rev |= (a64 >> i & 1) << (63 - i);
    w[45] = uint32_t(rev) ^ uint32_t(rev >> 32);
    const uint32_t exp = (a >> 23) & 0xff, frac = a & 0x7fffff;
    const bool nan = exp == 0xff && frac, inf = exp == 0xff && !frac;
    const uint32_t props = uint32_t(exp != 0xff) | uint32_t(inf) << 1 | uint32_t(!nan) << 2 | uint32_t(nan) << 3 |
                           uint32_t(exp != 0 && exp != 0xff) << 4 | uint32_t(exp == 0 && frac != 0) << 5;
    const uint32_t sad = uint32_t(std::abs(int(a & 0xffff) - int(b & 0xffff))) + (c & 0xff);
    w[46] = props | ((a >> 31) << 8) | (sad << 9);  // copysign takes a's sign
    w[47] = int32_t(c) >= 0 ? a : b;
    for (int k = 0; k < kOps; ++k) expect_eq(o[k], w[k], t, k, in);
  }
}

void check_warp(const std::vector<uint32_t>& in, const std::vector<uint32_t>& out, int n) {
  for (int w0 = 0; w0 < n; w0 += 32) {
    uint32_t ballot = 0, odd = 0, add = 0, or_ = 0, xr = 0, mx = 0, and_ = ~0u, odd_add = 0;
    int mn = INT32_MAX, odd_max = INT32_MIN;
    bool any = false, all = true, ones = true, zeros = true;
    for (int l = 0; l < 32; ++l) {
      const uint32_t v = in[w0 + l];
      ballot |= uint32_t((v & 4) != 0) << l, odd |= (v & 1) << l;
      any |= v > 1000, all &= v < 60000, ones &= (v & 0x10000) != 0, zeros &= (v & 0x10000) == 0;
      add += v, or_ |= v, xr ^= v, and_ &= v | 0xf0f0u, mx = v > mx ? v : mx;
      mn = std::min(mn, int32_t(v) - 30000);
      if (v & 1) odd_add += v, odd_max = std::max(odd_max, int32_t(v) - 30000);
    }
    for (int l = 0; l < 32; ++l) {
      const uint32_t* o = &out[size_t(w0 + l) * kWarpOps];
      const uint32_t v = in[w0 + l];
      const uint32_t want[kWarpOps] = {ballot, uint32_t(any) | uint32_t(all) << 1 | uint32_t(ones || zeros) << 2,
                                       (1u << l) - 1, ~((1u << l) - 1), uint32_t(l), add, uint32_t(mn), mx, and_, or_, xr,
                                       (v & 1) ? odd_add : 0, (v & 1) ? uint32_t(odd_max) : 0, odd};
      for (int k = 0; k < kWarpOps; ++k)
        if (o[k] != want[k]) {
          std::fprintf(stderr, "inline_ptx: warp op %d of thread %d: got 0x%08x, expected 0x%08x\n", k, w0 + l, o[k], want[k]);
          std::exit(1);
        }
    }
  }
}

template <typename T> T* device_copy(const std::vector<T>& v) {
  T* p = nullptr;
  CHECK(cudaMalloc(&p, v.size() * sizeof(T)));
  CHECK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return p;
}

int main() {
  const int n = 1024;
  std::vector<uint32_t> in(3 * n);
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (auto& x : in) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    x = uint32_t(s >> 11);
  }
  // Corner values: zero, all ones, sign bits, infinities, NaNs, subnormals, exact selectors.
  const uint32_t corners[] = {0, 0xffffffffu, 0x80000000u, 0x7fffffffu, 0x7f800000u, 0xff800000u, 0x7fc00001u,
                              0x00000001u, 0x807fffffu, 0x3f800000u, 32, 31, 64, 33};
  for (int i = 0; i < int(sizeof corners / sizeof corners[0]); ++i)
    for (int j = 0; j < 3; ++j) in[3 * (i * 5 + j) + j] = corners[(i + j) % 14];
  for (int t = 100; t < 140; ++t) in[3 * t + 2] = uint32_t(t - 100);  // every shift count / length
  uint32_t* d_in = device_copy(in);
  uint32_t* d_out = nullptr;
  CHECK(cudaMalloc(&d_out, size_t(n) * kOps * 4));
  scalar_ops<<<n / 128, 128>>>(d_in, d_out, n);
  CHECK(cudaGetLastError());
  std::vector<uint32_t> out(size_t(n) * kOps);
  CHECK(cudaMemcpy(out.data(), d_out, out.size() * 4, cudaMemcpyDeviceToHost));
  check_scalar(in, out, n);

  std::vector<uint32_t> win(n);
  for (int t = 0; t < n; ++t) win[t] = (in[t] % 50000) | (t % 80 < 32 ? 0x10000u : 0);  // some warps uniform, some not
  uint32_t* d_win = device_copy(win);
  uint32_t* d_wout = nullptr;
  uint32_t* d_sm_ok = device_copy(std::vector<uint32_t>{1});
  CHECK(cudaMalloc(&d_wout, size_t(n) * kWarpOps * 4));
  warp_ops<<<n / 256, 256>>>(d_win, d_wout, d_sm_ok);
  CHECK(cudaGetLastError());
  std::vector<uint32_t> wout(size_t(n) * kWarpOps), sm_ok(1);
  CHECK(cudaMemcpy(wout.data(), d_wout, wout.size() * 4, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(sm_ok.data(), d_sm_ok, 4, cudaMemcpyDeviceToHost));
  check_warp(win, wout, n);
  EXPECT(sm_ok[0] == 1);

  const int blocks = 8, threads = 128, m = blocks * threads - 5;
  std::vector<uint32_t> totals_init = {0, uint32_t(INT32_MIN), 0xffffffffu, 0, 0, 0, 0, 0, 0};
  uint32_t* d_totals = device_copy(totals_init);
  uint32_t* d_flags = device_copy(std::vector<uint32_t>(blocks, 0));
  uint32_t* d_result = device_copy(std::vector<uint32_t>(2 * blocks, 0));
  memory_ops<<<blocks, threads>>>(d_win, d_totals, d_flags, d_result, m);
  CHECK(cudaGetLastError());
  std::vector<uint32_t> totals(9), result(2 * blocks);
  CHECK(cudaMemcpy(totals.data(), d_totals, 36, cudaMemcpyDeviceToHost));
  CHECK(cudaMemcpy(result.data(), d_result, result.size() * 4, cudaMemcpyDeviceToHost));
  uint32_t sum = 0, mn = 0xffffffffu, xr = 0;
  int32_t mx = INT32_MIN;
  uint64_t wide = 0;
  for (int t = 0; t < blocks * threads; ++t) {
    const uint32_t v = t < m ? win[t] : 0;
    sum += v, mx = std::max(mx, int32_t(v) - 40000), mn = std::min(mn, v + 7), wide += uint64_t(v) << 20;
    xr ^= v * 2654435761u;
  }
  EXPECT(totals[0] == sum);
  EXPECT(int32_t(totals[1]) == mx);
  EXPECT(totals[2] == mn);
  EXPECT(totals[3] >= 1 && totals[3] <= uint32_t(blocks * threads));  // one CAS won
  EXPECT((uint64_t(totals[5]) << 32 | totals[4]) == wide);
  EXPECT(totals[6] == sum);
  EXPECT(totals[7] == xr);
  EXPECT(totals[8] == 1);
  for (int b = 0; b < blocks; ++b) EXPECT(result[blocks + b] == (b * 3u + 1) * 2);
  std::printf("inline_ptx: OK\n");
  return 0;
}
